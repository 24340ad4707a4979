// Shape records for convolution, depthwise convolution and pooling, in the field order of the
// TypeScript Conv2DInfo / Pool2DInfo (bindings receive them as one int array), plus the checks a
// binding runs before any kernel touches memory: positive sizes, non-negative pads and output
// sizes that agree with the window arithmetic (a caller's inconsistent record would otherwise make
// the kernels index outside the buffers).
#pragma once
#include <cstdint>
#include <string>

namespace convkit {

struct ConvShape {
  int64_t n, h, w, c;       // input NHWC
  int64_t oh, ow, oc;       // output spatial size and channels (depthwise: oc = c·m)
  int64_t kh, kw;           // filter size
  int64_t sh, sw, dh, dw;   // strides, dilations
  int64_t pt, pb, pl, pr;   // padding top/bottom/left/right
  int64_t m;                // depthwise channel multiplier (1 for ordinary convolution)

  int64_t InSize() const { return n * h * w * c; }
  int64_t OutSize() const { return n * oh * ow * oc; }
  int64_t Kkc() const { return kh * kw * c; }
  bool Pointwise() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pb == 0 && pl == 0 && pr == 0;
  }
};

struct PoolShape {
  int64_t n, h, w, c;
  int64_t oh, ow;
  int64_t ph, pw;
  int64_t sh, sw;
  int64_t pt, pb, pl, pr;
};

constexpr int kConvFields = 18;
constexpr int kPoolFields = 14;

namespace shape_detail {

// floor((in + pads − eff)/s) + 1, or 0 when the padded input is shorter than the dilated window.
inline int64_t WindowOut(int64_t in, int64_t pad0, int64_t pad1, int64_t k, int64_t d, int64_t s) {
  const int64_t eff = (k - 1) * d + 1;
  const int64_t padded = in + pad0 + pad1;
  return padded >= eff ? (padded - eff) / s + 1 : 0;
}

inline bool CheckAxis(const char* axis, int64_t in, int64_t out, int64_t k, int64_t s, int64_t d, int64_t p0,
                      int64_t p1, std::string* err) {
  const int64_t want = WindowOut(in, p0, p1, k, d, s);
  if (out != want) {
    *err = std::string("output ") + axis + " " + std::to_string(out) + " does not match the window arithmetic (" +
           std::to_string(want) + ")";
    return false;
  }
  return true;
}

}  // namespace shape_detail

// v: 18 values in Conv2DInfo order, each already range-checked to [0, 2^31). Returns false with a
// message when the record is inconsistent. `depthwise`: oc must equal c·m.
inline bool MakeConvShape(const int64_t* v, bool depthwise, ConvShape* s, std::string* err) {
  *s = ConvShape{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                 v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17]};
  const int64_t positive[] = {s->n, s->h, s->w, s->c, s->oh, s->ow, s->oc, s->kh, s->kw, s->sh, s->sw, s->dh, s->dw, s->m};
  for (int64_t x : positive) {
    if (x < 1) {
      *err = "sizes, strides, dilations and the channel multiplier must be positive";
      return false;
    }
  }
  if (s->pt < 0 || s->pb < 0 || s->pl < 0 || s->pr < 0) {
    *err = "padding must be non-negative";
    return false;
  }
  if (depthwise ? s->oc != s->c * s->m : s->m != 1) {
    *err = depthwise ? "outChannels must equal inChannels * channelMultiplier" : "channelMultiplier must be 1";
    return false;
  }
  return shape_detail::CheckAxis("height", s->h, s->oh, s->kh, s->sh, s->dh, s->pt, s->pb, err) &&
         shape_detail::CheckAxis("width", s->w, s->ow, s->kw, s->sw, s->dw, s->pl, s->pr, err);
}

inline bool MakePoolShape(const int64_t* v, PoolShape* s, std::string* err) {
  *s = PoolShape{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
  const int64_t positive[] = {s->n, s->h, s->w, s->c, s->oh, s->ow, s->ph, s->pw, s->sh, s->sw};
  for (int64_t x : positive) {
    if (x < 1) {
      *err = "sizes, pool sizes and strides must be positive";
      return false;
    }
  }
  if (s->pt < 0 || s->pb < 0 || s->pl < 0 || s->pr < 0) {
    *err = "padding must be non-negative";
    return false;
  }
  return shape_detail::CheckAxis("height", s->h, s->oh, s->ph, s->sh, 1, s->pt, s->pb, err) &&
         shape_detail::CheckAxis("width", s->w, s->ow, s->pw, s->sw, 1, s->pl, s->pr, err);
}

}  // namespace convkit
