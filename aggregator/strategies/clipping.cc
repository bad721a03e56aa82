#include "aggregator/strategies/clipping.h"

#include <cmath>

namespace fedtee::aggregator {

double L2Norm(std::span<const float> v) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    for (int j = 0; j < 8; ++j) {
      const double x = v[i + j];
      acc[j] += x * x;
    }
  }
  for (int j = 0; i < v.size(); ++i, ++j) {
    const double x = v[i];
    acc[j] += x * x;
  }
  const double s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  return std::sqrt(s);
}

bool ClipInPlace(std::span<float> v, double norm, double clip_norm) {
  if (norm <= clip_norm) return true;
  const float scale = static_cast<float>(clip_norm / norm);
  for (float& x : v) x *= scale;
  // float rounding may leave the norm a hair above C; shave until within.
  double after = L2Norm(v);
  while (after > clip_norm) {
    const float shrink = std::nextafter(1.0f, 0.0f);
    for (float& x : v) x *= shrink;
    after = L2Norm(v);
  }
  return false;
}

double NextClipNorm(const ClipOptions& o, double clip_norm, size_t unclipped, size_t n,
                    double count_noise) {
  if (n == 0) return clip_norm;
  const double b = (static_cast<double>(unclipped) + count_noise) / static_cast<double>(n);
  return clip_norm * std::exp(-o.clip_lr * (b - o.target_quantile));
}

}  // namespace fedtee::aggregator
