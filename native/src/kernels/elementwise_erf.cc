#include "kernels/elementwise_erf.h"

#include <cmath>

namespace convkit {
namespace {

const double A[] = {3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3,
                    1.85777706184603153e-1};
const double B[] = {2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3};
const double C[] = {5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2,
                    8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3,
                    2.15311535474403846e-8};
const double D[] = {1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3,
                    3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3};
const double P[] = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
                    6.58749161529837803e-4, 1.63153871373020978e-2};
const double Q[] = {2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2,
                    2.33520497626869185e-3};
const double kInvSqrtPi = 0.56418958354775628695;
const double kErfcZero = 26.6;

double ErfSmall(double x) {
  double t = x * x;
  double num = A[4] * t, den = t;
  for (int i = 0; i < 3; i++) {
    num = (num + A[i]) * t;
    den = (den + B[i]) * t;
  }
  return x * (num + A[3]) / (den + B[3]);
}

// exp(-y²) with r = y rounded down to 1/16 so r² is exact (keeps erfc's relative accuracy).
double ExpNegSquare(double y) {
  double r = std::floor(y * 16) / 16;
  return std::exp(-r * r) * std::exp(-(y - r) * (y + r));
}

double ErfcPositive(double y) {
  if (y >= kErfcZero) return 0;
  double ratio;
  if (y <= 4) {
    double num = C[8] * y, den = y;
    for (int i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    ratio = (num + C[7]) / (den + D[7]);
  } else {
    double t = 1 / (y * y);
    double num = P[5] * t, den = t;
    for (int i = 0; i < 4; i++) {
      num = (num + P[i]) * t;
      den = (den + Q[i]) * t;
    }
    ratio = (kInvSqrtPi - t * (num + P[4]) / (den + Q[4])) / y;
  }
  return ExpNegSquare(y) * ratio;
}

}  // namespace

double Erfc(double x) {
  double y = std::fabs(x);
  if (y <= 0.46875) return 1 - ErfSmall(x);
  if (std::isnan(y)) return NAN;
  double r = ErfcPositive(y);
  return x < 0 ? 2 - r : r;
}

}  // namespace convkit
