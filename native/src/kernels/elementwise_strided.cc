#include "kernels/elementwise_strided.h"

namespace convkit {

StridedLoop Coalesce(const std::vector<int64_t>& shape, const std::vector<int64_t>& s0,
                     const std::vector<int64_t>& s1) {
  StridedLoop L;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 1) continue;
    if (!L.dims.empty() && L.s0.back() == s0[d] * shape[d] && L.s1.back() == s1[d] * shape[d]) {
      L.dims.back() *= shape[d];
      L.s0.back() = s0[d];
      L.s1.back() = s1[d];
    } else {
      L.dims.push_back(shape[d]);
      L.s0.push_back(s0[d]);
      L.s1.push_back(s1[d]);
    }
  }
  if (L.dims.empty()) {
    L.dims.push_back(1);
    L.s0.push_back(0);
    L.s1.push_back(0);
  }
  return L;
}

std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size());
  int64_t acc = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& shape, const std::vector<int64_t>& out_shape) {
  std::vector<int64_t> own = RowMajorStrides(shape);
  std::vector<int64_t> s(out_shape.size(), 0);
  size_t off = out_shape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] != 1) s[i + off] = own[i];
  }
  return s;
}

}  // namespace convkit
