#include "aggregator/strategies/exact_sum.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "aggregator/strategies/strategy.h"

namespace fedtee::aggregator {
namespace {

// Adding then subtracting 1.5 * 2^52 rounds a double of magnitude < 2^51 to an integer
// (round-half-even, the default rounding mode); 3.0 = 1.5 * 2^1 rounds a value of magnitude
// <= 1/2 to a multiple of 2^-51. Plain IEEE arithmetic: the build never uses -ffast-math,
// which would fold these away.
constexpr double kRoundInt = 6755399441055744.0;
constexpr double kRoundFrac = 3.0;

// One term into one coordinate.
inline void AddTerm(double t, double& hi, double& lo) {
  const double th = (t + kRoundInt) - kRoundInt;           // integer part (exact)
  const double tl = ((t - th) + kRoundFrac) - kRoundFrac;  // fraction, on the 2^-51 grid
  const double l = lo + tl;                                // exact: |l| <= 1 on the grid
  const double c = (l + kRoundInt) - kRoundInt;            // carry: -1, 0 or 1
  lo = l - c;
  hi = (hi + th) + c;  // exact: integers below 2^53
}

// Four lanes of doubles (GCC/Clang vector extensions: two SSE registers on x86-64-v2, one
// AVX register where available), lane-wise the same IEEE operations as AddTerm.
typedef double Double4 __attribute__((vector_size(32)));
typedef float Float4 __attribute__((vector_size(16)));

// The hot loop: branch-free, vectorised explicitly, then a scalar tail. Same arithmetic per
// element either way, so the same bits.
void Accumulate(const float* __restrict v, double w, double* __restrict hi,
                double* __restrict lo, size_t n) {
  const Double4 r = {kRoundInt, kRoundInt, kRoundInt, kRoundInt};
  const Double4 f = {kRoundFrac, kRoundFrac, kRoundFrac, kRoundFrac};
  const Double4 wv = {w, w, w, w};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    Float4 vf;
    Double4 h, l;
    std::memcpy(&vf, v + i, sizeof vf);
    std::memcpy(&h, hi + i, sizeof h);
    std::memcpy(&l, lo + i, sizeof l);
    const Double4 t = __builtin_convertvector(vf, Double4) * wv;
    const Double4 th = (t + r) - r;
    const Double4 tl = ((t - th) + f) - f;
    const Double4 sum = l + tl;
    const Double4 c = (sum + r) - r;
    l = sum - c;
    h = (h + th) + c;
    std::memcpy(hi + i, &h, sizeof h);
    std::memcpy(lo + i, &l, sizeof l);
  }
  for (; i < n; ++i) AddTerm(w * static_cast<double>(v[i]), hi[i], lo[i]);
}

float MaxAbs(std::span<const float> values) {
  Float4 m = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= values.size(); i += 4) {
    Float4 x;
    std::memcpy(&x, values.data() + i, sizeof x);
    x = x < 0 ? -x : x;
    m = m < x ? x : m;
  }
  float out = std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
  for (; i < values.size(); ++i) out = std::max(out, std::fabs(values[i]));
  return out;
}

}  // namespace

ExactWeightedSum::~ExactWeightedSum() {
  WipeDoubles(hi_);
  WipeDoubles(lo_);
}

void ExactWeightedSum::Reset(size_t num_params) {
  WipeDoubles(hi_);
  WipeDoubles(lo_);
  hi_.assign(num_params, 0.0);
  lo_.assign(num_params, 0.0);
  count_ = 0;
}

Status ExactWeightedSum::Add(std::span<const float> values, double weight) {
  if (values.size() != hi_.size()) {
    return Status::InvalidArgument("update.wrong_shape",
                                   "the update holds " + std::to_string(values.size()) +
                                       " values, the model " + std::to_string(hi_.size()));
  }
  if (count_ >= kMaxTerms) {
    return Status::OutOfRange("update.too_many_updates",
                              "a round folds at most " + std::to_string(kMaxTerms) + " updates");
  }
  const double peak = weight * static_cast<double>(MaxAbs(values));
  if (!(weight > 0) || !(peak <= kMaxTerm)) {
    return Status::OutOfRange(
        "update.out_of_range",
        "weight x |value| reaches " + std::to_string(peak) +
            ", beyond the exact accumulator's 2^36 (an absurd delta, or a scaled one)");
  }
  Accumulate(values.data(), weight, hi_.data(), lo_.data(), values.size());
  ++count_;
  return Status::Ok();
}

void ExactWeightedSum::Sum(std::span<double> out) const {
  const size_t n = std::min(out.size(), hi_.size());
  for (size_t i = 0; i < n; ++i) out[i] = hi_[i] + lo_[i];
}

}  // namespace fedtee::aggregator
