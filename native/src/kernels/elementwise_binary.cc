// Broadcasting binary ops, matching src/backend/js/binary.ts. float32 ⊕ float32 computes in float:
// +, −, ×, ÷ rounded once to float equal the js double result rounded to float. Any int32 operand
// computes in double (exactly what js does) and an int32 result is stored through JS ToInt32, so
// int32 × int32 overflow wraps and ÷ truncates just as an Int32Array store does.
#include <cmath>

#include "common/parallel.h"
#include "kernels/elementwise.h"
#include "kernels/elementwise_isa.h"

namespace convkit {
namespace {

// Math.pow differs from C pow in two places: a NaN exponent always gives NaN, and (±1)^±∞ is NaN.
CK_INLINE double JsPow(double a, double b) {
  if (b != b) return NAN;
  if (std::isinf(b) && std::fabs(a) == 1) return NAN;
  return std::pow(a, b);
}

// Math.max / Math.min: NaN if either is NaN, and +0 > −0.
template <class C>
CK_INLINE C JsMax(C a, C b) {
  if (a > b) return a;
  if (b > a) return b;
  if (a != a || b != b) return a + b;
  return std::signbit(a) ? b : a;
}
template <class C>
CK_INLINE C JsMin(C a, C b) {
  if (a < b) return a;
  if (b < a) return b;
  if (a != a || b != b) return a + b;
  return std::signbit(a) ? a : b;
}

#define BINOP(Name, expr) \
  template <class C>      \
  struct Name {           \
    static CK_INLINE C F(C a, C b) { return expr; } \
  };
BINOP(BAdd, a + b)
BINOP(BSub, a - b)
BINOP(BMul, a * b)
BINOP(BDiv, a / b)
BINOP(BPow, static_cast<C>(JsPow(a, b)))
BINOP(BMaximum, JsMax<C>(a, b))
BINOP(BMinimum, JsMin<C>(a, b))
BINOP(BEqual, a == b ? C(1) : C(0))
BINOP(BNotEqual, a != b ? C(1) : C(0))
BINOP(BGreater, a > b ? C(1) : C(0))
BINOP(BGreaterEqual, a >= b ? C(1) : C(0))
BINOP(BLess, a < b ? C(1) : C(0))
BINOP(BLessEqual, a <= b ? C(1) : C(0))
#undef BINOP

CK_INLINE void Store(float* o, float v) { *o = v; }
CK_INLINE void Store(float* o, double v) { *o = static_cast<float>(v); }
CK_INLINE void Store(int32_t* o, double v) { *o = JsToInt32(v); }

// One row: out[j] = a[j·sa] op b[j·sb], with the contiguous / one-side-scalar cases spelled out so
// each compiles to a plain vector loop.
template <class Op, class C, class TA, class TB, class TO>
CK_INLINE void RowImpl(const TA* a, int64_t sa, const TB* b, int64_t sb, TO* o, int64_t len) {
  if (sa == 1 && sb == 1) {
    for (int64_t j = 0; j < len; j++) Store(o + j, Op::F(C(a[j]), C(b[j])));
  } else if (sa == 1 && sb == 0) {
    const C bv = C(b[0]);
    for (int64_t j = 0; j < len; j++) Store(o + j, Op::F(C(a[j]), bv));
  } else if (sa == 0 && sb == 1) {
    const C av = C(a[0]);
    for (int64_t j = 0; j < len; j++) Store(o + j, Op::F(av, C(b[j])));
  } else {
    for (int64_t j = 0; j < len; j++) Store(o + j, Op::F(C(a[j * sa]), C(b[j * sb])));
  }
}

template <class Op>
CK_INLINE void RowF32(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t len) {
  RowImpl<Op, float, float, float, float>(a, sa, b, sb, o, len);
}
CK_ISA_VARIANTS(RowF32Run, RowF32, (const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t len),
                (a, sa, b, sb, o, len))

template <class Op, class C, class TA, class TB, class TO>
void RowMixed(const TA* a, int64_t sa, const TB* b, int64_t sb, TO* o, int64_t len) {
  RowImpl<Op, C, TA, TB, TO>(a, sa, b, sb, o, len);
}

template <class TA, class TB, class TO, class RowFn>
void Run(const StridedLoop& L, const TA* a, const TB* b, TO* out, RowFn row) {
  const int last = static_cast<int>(L.dims.size()) - 1;
  const int64_t sa = L.s0[last], sb = L.s1[last];
  ParallelFor(L.Total(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
    ForRows(L, begin, end, [&](int64_t pos, int64_t oa, int64_t ob, int64_t len) {
      row(a + oa, sa, b + ob, sb, out + pos, len);
    });
  });
}

template <template <class> class OpT>
void RunTyped(const StridedLoop& L, const void* a, bool ai, const void* b, bool bi, void* out) {
  if (!ai && !bi) {
    Run(L, static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(out),
        RowF32RunPick<OpT<float>>());
  } else if (ai && bi) {
    Run(L, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b), static_cast<int32_t*>(out),
        &RowMixed<OpT<double>, double, int32_t, int32_t, int32_t>);
  } else if (ai) {
    Run(L, static_cast<const int32_t*>(a), static_cast<const float*>(b), static_cast<float*>(out),
        &RowMixed<OpT<double>, double, int32_t, float, float>);
  } else {
    Run(L, static_cast<const float*>(a), static_cast<const int32_t*>(b), static_cast<float*>(out),
        &RowMixed<OpT<double>, double, float, int32_t, float>);
  }
}

}  // namespace

void Binary(int op, const void* a, bool a_int, const std::vector<int64_t>& a_shape, const void* b, bool b_int,
            const std::vector<int64_t>& b_shape, void* out, const std::vector<int64_t>& out_shape) {
  StridedLoop L = Coalesce(out_shape, BroadcastStrides(a_shape, out_shape), BroadcastStrides(b_shape, out_shape));
  if (L.Total() == 0) return;
  switch (op) {
    case kAdd: return RunTyped<BAdd>(L, a, a_int, b, b_int, out);
    case kSub: return RunTyped<BSub>(L, a, a_int, b, b_int, out);
    case kMul: return RunTyped<BMul>(L, a, a_int, b, b_int, out);
    case kDiv: return RunTyped<BDiv>(L, a, a_int, b, b_int, out);
    case kPow: return RunTyped<BPow>(L, a, a_int, b, b_int, out);
    case kMaximum: return RunTyped<BMaximum>(L, a, a_int, b, b_int, out);
    case kMinimum: return RunTyped<BMinimum>(L, a, a_int, b, b_int, out);
    case kEqual: return RunTyped<BEqual>(L, a, a_int, b, b_int, out);
    case kNotEqual: return RunTyped<BNotEqual>(L, a, a_int, b, b_int, out);
    case kGreater: return RunTyped<BGreater>(L, a, a_int, b, b_int, out);
    case kGreaterEqual: return RunTyped<BGreaterEqual>(L, a, a_int, b, b_int, out);
    case kLess: return RunTyped<BLess>(L, a, a_int, b, b_int, out);
    case kLessEqual: return RunTyped<BLessEqual>(L, a, a_int, b, b_int, out);
  }
}

}  // namespace convkit
