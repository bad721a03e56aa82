// Update-norm clipping, applied by the composed strategy to each update on Commit:
// delta_i <- delta_i * min(1, C / ||delta_i||_2). Fixed C, or adaptive clipping (Andrew et
// al. 2021, "Differentially Private Learning with Adaptive Clipping"): after each round,
//   b = (sum_i [||delta_i|| <= C] + N(0, count_stddev^2)) / n
//   C' = C * exp(-clip_lr * (b - target_quantile))
// (the geometric update), so C tracks the target quantile of the update norms.
// Thread-safety: functions without shared state.
#pragma once

#include <cstddef>
#include <span>

namespace fedtee::aggregator {

struct ClipOptions {
  // Clip norm C (the initial one when adaptive); 0 = no clipping.
  double clip_norm = 0;
  // Target quantile gamma in (0, 1) of the update norms; 0 = fixed clip norm.
  double target_quantile = 0;
  // Learning rate eta_C of the geometric update. Default 0.2 (the paper's choice).
  double clip_lr = 0.2;
  // Std of the Gaussian noise on the count of unclipped updates (needed for privacy when
  // noise_multiplier > 0; the paper suggests expected updates per round / 20). Default 0.
  double count_stddev = 0;

  bool enabled() const { return clip_norm > 0; }
  bool adaptive() const { return clip_norm > 0 && target_quantile > 0; }
};

// ||v||_2 in double, as a fixed function of the values (eight interleaved partial sums
// combined in a fixed order: vectorisable, and the same bits for the same values).
double L2Norm(std::span<const float> v);

// Scales v in place so that its norm is at most `clip_norm` (no change when it is already).
// Returns true when the update was within the bound (unclipped).
bool ClipInPlace(std::span<float> v, double norm, double clip_norm);

// The adaptive update of the clip norm from `unclipped` of `n` updates, with `count_noise`
// a draw of N(0, count_stddev^2) (0 when count_stddev is 0).
double NextClipNorm(const ClipOptions& o, double clip_norm, size_t unclipped, size_t n,
                    double count_noise);

}  // namespace fedtee::aggregator
