// Element-wise float32 kernels matching src/backend/js/{unary,elementwise,binary}.ts. Op codes are
// the indices of the names in src/backend/native/elementwise.ts.
#pragma once
#include <cstdint>
#include <vector>

namespace convkit {

enum UnaryOpCode {
  kNeg, kAbs, kSign, kSquare, kSqrt, kRsqrt, kExp, kLog, kLog1p, kReciprocal, kRelu, kRelu6, kSigmoid,
  kTanh, kElu, kSelu, kSoftplus, kSoftsign, kGelu, kGeluTanh, kSwish, kHardSigmoid, kFloor, kCeil,
  kRound, kStep, kIsnan, kUnaryOpCount
};

enum BinaryOpCode {
  kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum, kEqual, kNotEqual, kGreater, kGreaterEqual, kLess,
  kLessEqual, kBinaryOpCount
};

void Unary(int op, const float* x, float* y, int64_t n, float alpha);
void UnaryGrad(int op, const float* dy, const float* x, const float* y, float* dx, int64_t n, float alpha);

// Keras ReLU (see elementwise.ts); has_max selects whether max_value applies.
void Relu(const float* x, float* y, int64_t n, double slope, double threshold, bool has_max, double max_value);
void ReluGrad(const float* dy, const float* x, float* dx, int64_t n, double slope, double threshold, bool has_max,
              double max_value);
void Clip(const float* x, float* y, int64_t n, double lo, double hi);
// cond is float32 (cond_int false) or int32 (cond_int true).
void Where(const void* cond, bool cond_int, const float* a, const float* b, float* y, int64_t n);
void CastF32ToI32(const float* x, int32_t* y, int64_t n);
void CastI32ToF32(const int32_t* x, float* y, int64_t n);

// Broadcasting binary op. Operands are float32 or int32 (a_int / b_int); the output is int32 when
// both are, else float32 (a float operand decides, as floatLike in util.ts).
void Binary(int op, const void* a, bool a_int, const std::vector<int64_t>& a_shape, const void* b, bool b_int,
            const std::vector<int64_t>& b_shape, void* out, const std::vector<int64_t>& out_shape);

}  // namespace convkit
