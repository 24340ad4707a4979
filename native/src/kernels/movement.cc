#include "kernels/movement.h"

#include <algorithm>
#include <cstring>

#include "common/parallel.h"
#include "kernels/elementwise_strided.h"

namespace convkit {
namespace {

inline void CopyRow(uint32_t* o, const uint32_t* x, int64_t s, int64_t len) {
  if (s == 1) std::memcpy(o, x, static_cast<size_t>(len) * 4);
  else if (s == 0) std::fill(o, o + len, x[0]);
  else for (int64_t j = 0; j < len; j++) o[j] = x[j * s];
}

// out[pos..] (contiguous over L) = x read through L.s0 from `base`.
void GatherLoop(const uint32_t* x, int64_t base, const StridedLoop& L, uint32_t* out) {
  const int64_t s = L.s0.back();
  ParallelFor(L.Total(), kElementwiseGrain, [&](int64_t b, int64_t e) {
    ForRows(L, b, e, [&](int64_t pos, int64_t ox, int64_t, int64_t len) { CopyRow(out + pos, x + base + ox, s, len); });
  });
}

// A transpose whose innermost output dimension walks the input with a large stride: copy in square
// tiles of (input-contiguous dim k) × (innermost output dim) so both sides stay in cache lines.
bool TiledTranspose(const uint32_t* x, const StridedLoop& L, uint32_t* out) {
  const int rank = static_cast<int>(L.dims.size());
  const int last = rank - 1;
  int k = -1;
  for (int d = 0; d < last; d++) {
    if (L.s0[d] == 1) k = d;
  }
  if (k < 0 || L.dims[k] < 8 || L.dims[last] < 8) return false;
  std::vector<int64_t> out_strides = RowMajorStrides(L.dims);
  // The other dimensions, odometer-walked as the outer loop.
  std::vector<int64_t> od, os_in, os_out;
  for (int d = 0; d < last; d++) {
    if (d == k) continue;
    od.push_back(L.dims[d]);
    os_in.push_back(L.s0[d]);
    os_out.push_back(out_strides[d]);
  }
  int64_t outer = 1;
  for (int64_t d : od) outer *= d;
  const int64_t nk = L.dims[k], nl = L.dims[last], sl = L.s0[last], ok = out_strides[k];
  constexpr int64_t T = 32;
  const int64_t tiles_k = (nk + T - 1) / T;
  ParallelFor(outer * tiles_k, std::max<int64_t>(1, kElementwiseGrain / (T * nl)), [&](int64_t b, int64_t e) {
    for (int64_t w = b; w < e; w++) {
      int64_t o = w / tiles_k, tk = w % tiles_k;
      int64_t in_off = 0, out_off = 0, rem = o;
      for (int d = static_cast<int>(od.size()) - 1; d >= 0; d--) {
        int64_t i = rem % od[d];
        rem /= od[d];
        in_off += i * os_in[d];
        out_off += i * os_out[d];
      }
      const int64_t k0 = tk * T, k1 = std::min(nk, k0 + T);
      for (int64_t l0 = 0; l0 < nl; l0 += T) {
        const int64_t l1 = std::min(nl, l0 + T);
        for (int64_t kk = k0; kk < k1; kk++) {
          uint32_t* dst = out + out_off + kk * ok;
          const uint32_t* src = x + in_off + kk;
          for (int64_t l = l0; l < l1; l++) dst[l] = src[l * sl];
        }
      }
    }
  });
  return true;
}

}  // namespace

void Transpose(const uint32_t* x, const Shape& shape, const Shape& perm, uint32_t* out) {
  Shape out_shape(perm.size()), in_strides = RowMajorStrides(shape), s(perm.size());
  for (size_t i = 0; i < perm.size(); i++) {
    out_shape[i] = shape[perm[i]];
    s[i] = in_strides[perm[i]];
  }
  StridedLoop L = Coalesce(out_shape, s, Shape(s.size(), 0));
  if (L.Total() == 0) return;
  if (L.s0.back() != 1 && TiledTranspose(x, L, out)) return;
  GatherLoop(x, 0, L, out);
}

void Slice(const uint32_t* x, const Shape& shape, const Shape& begin, const Shape& size, uint32_t* out) {
  Shape in_strides = RowMajorStrides(shape);
  int64_t base = 0;
  for (size_t i = 0; i < shape.size(); i++) base += begin[i] * in_strides[i];
  StridedLoop L = Coalesce(size, in_strides, Shape(size.size(), 0));
  if (L.Total() == 0) return;
  GatherLoop(x, base, L, out);
}

void Concat(const std::vector<const uint32_t*>& xs, const Shape& blocks, int64_t outer, uint32_t* out) {
  int64_t out_block = 0;
  for (int64_t b : blocks) out_block += b;
  if (out_block == 0) return;
  ParallelFor(outer, std::max<int64_t>(1, kElementwiseGrain / out_block), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; o++) {
      uint32_t* dst = out + o * out_block;
      for (size_t k = 0; k < xs.size(); k++) {
        std::memcpy(dst, xs[k] + o * blocks[k], static_cast<size_t>(blocks[k]) * 4);
        dst += blocks[k];
      }
    }
  });
}

void Pad(const uint32_t* x, const Shape& shape, const Shape& before, const Shape& after, uint32_t fill, uint32_t* out) {
  Shape out_shape(shape.size());
  int64_t out_total = 1, total = 1;
  for (size_t i = 0; i < shape.size(); i++) {
    out_shape[i] = shape[i] + before[i] + after[i];
    out_total *= out_shape[i];
    total *= shape[i];
  }
  ParallelFor(out_total, kElementwiseGrain, [&](int64_t b, int64_t e) { std::fill(out + b, out + e, fill); });
  if (total == 0) return;
  Shape out_strides = RowMajorStrides(out_shape);
  int64_t base = 0;
  for (size_t i = 0; i < shape.size(); i++) base += before[i] * out_strides[i];
  // Walk the input contiguously and drop each row into its place inside the padded output.
  StridedLoop L = Coalesce(shape, RowMajorStrides(shape), out_strides);
  const int64_t s = L.s1.back();
  ParallelFor(total, kElementwiseGrain, [&](int64_t b, int64_t e) {
    ForRows(L, b, e, [&](int64_t pos, int64_t, int64_t oo, int64_t len) {
      uint32_t* dst = out + base + oo;
      if (s == 1) std::memcpy(dst, x + pos, static_cast<size_t>(len) * 4);
      else for (int64_t j = 0; j < len; j++) dst[j * s] = x[pos + j];
    });
  });
}

void Gather(const uint32_t* x, int64_t outer, int64_t len, int64_t inner, const int32_t* indices, int64_t n,
            uint32_t* out) {
  if (inner == 0) return;
  ParallelFor(outer * n, std::max<int64_t>(1, kElementwiseGrain / inner), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; r++) {
      int64_t o = r / n, i = r % n;
      int64_t idx = indices[i] < 0 ? indices[i] + len : indices[i];
      std::memcpy(out + r * inner, x + (o * len + idx) * inner, static_cast<size_t>(inner) * 4);
    }
  });
}

void GatherGrad(const float* dy, int64_t outer, int64_t len, int64_t inner, const int32_t* indices, int64_t n,
                float* dx) {
  const int64_t total = outer * len * inner;
  std::fill(dx, dx + total, 0.f);
  if (inner == 0 || n == 0) return;
  // Repeated indices accumulate into one row in index order, as the js does, so the float sums
  // round identically: split only over outer slices or over columns, never over indices.
  auto scatter = [&](int64_t ob, int64_t oe, int64_t qb, int64_t qe) {
    for (int64_t o = ob; o < oe; o++) {
      for (int64_t i = 0; i < n; i++) {
        int64_t idx = indices[i] < 0 ? indices[i] + len : indices[i];
        float* d = dx + (o * len + idx) * inner;
        const float* s = dy + (o * n + i) * inner;
        for (int64_t q = qb; q < qe; q++) d[q] += s[q];
      }
    }
  };
  const int64_t work = outer * n * inner;
  if (outer > 1) {
    ParallelFor(outer, std::max<int64_t>(1, kElementwiseGrain * outer / std::max<int64_t>(work, 1)),
                [&](int64_t b, int64_t e) { scatter(b, e, 0, inner); });
  } else {
    ParallelFor(inner, std::max<int64_t>(64, kElementwiseGrain * inner / std::max<int64_t>(work, 1)),
                [&](int64_t b, int64_t e) { scatter(0, 1, b, e); });
  }
}

void BroadcastTo(const uint32_t* x, const Shape& shape, const Shape& out_shape, uint32_t* out) {
  StridedLoop L = Coalesce(out_shape, BroadcastStrides(shape, out_shape), Shape(out_shape.size(), 0));
  if (L.Total() == 0) return;
  GatherLoop(x, 0, L, out);
}

}  // namespace convkit
