/**
 * Error function to double precision, needed by the exact (erf-form) GELU and its derivative.
 *
 * Uses W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev approximations for the
 * error function", Math. Comp. 23, 1969) on three intervals: erf on |x| ≤ 0.46875, erfc·exp(x²) on
 * (0.46875, 4], and an asymptotic form beyond 4. Their own error is below double rounding, so the
 * result is good to a few ulps (the tests check 4e-15 absolute for erf, 1e-13 relative for erfc).
 * Abramowitz–Stegun 7.1.26 (error ~1e-7) would visibly disturb GELU gradient checks.
 * erfc is computed directly (not as 1 − erf) so GELU's far negative tail keeps its relative accuracy.
 */

const A = [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3,
  1.85777706184603153e-1];
const B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
const C = [5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2,
  8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3,
  2.15311535474403846e-8];
const D = [1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3,
  3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3];
const P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
  6.58749161529837803e-4, 1.63153871373020978e-2];
const Q = [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2,
  2.33520497626869185e-3];
const INV_SQRT_PI = 0.56418958354775628695;
/** erfc underflows to 0 in double precision beyond this. */
const ERFC_ZERO = 26.6;

/** erf on the small interval, odd in x. */
function erfSmall(x: number): number {
  const t = x * x;
  let num = A[4] * t, den = t;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * t;
    den = (den + B[i]) * t;
  }
  return x * (num + A[3]) / (den + B[3]);
}

/**
 * exp(−y²) computed as exp(−r²)·exp(−(y−r)(y+r)) with r = y rounded down to 1/16: r² is exact, so the
 * large exponent carries no rounding error (Cody's device for keeping erfc's relative accuracy).
 */
function expNegSquare(y: number): number {
  const r = Math.floor(y * 16) / 16;
  return Math.exp(-r * r) * Math.exp(-(y - r) * (y + r));
}

/** erfc(y) for y > 0.46875. */
function erfcPositive(y: number): number {
  if (y >= ERFC_ZERO) return 0;
  let ratio: number;
  if (y <= 4) {
    let num = C[8] * y, den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    ratio = (num + C[7]) / (den + D[7]);
  } else {
    const t = 1 / (y * y);
    let num = P[5] * t, den = t;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]) * t;
      den = (den + Q[i]) * t;
    }
    ratio = (INV_SQRT_PI - t * (num + P[4]) / (den + Q[4])) / y;
  }
  return expNegSquare(y) * ratio;
}

export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return erfSmall(x);
  if (Number.isNaN(y)) return NaN;
  const r = 1 - erfcPositive(y);
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x);
  if (Number.isNaN(y)) return NaN;
  const r = erfcPositive(y);
  return x < 0 ? 2 - r : r;
}
