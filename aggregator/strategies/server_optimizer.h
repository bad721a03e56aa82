// Server optimisers on the pseudo-gradient (Reddi et al. 2021, "Adaptive Federated
// Optimization", Algorithm 2; FedAvgM: Hsu et al. 2019). With x the global model and
// delta the round's aggregated delta (the negative pseudo-gradient):
//   none      x' = x + delta                                       (plain FedAvg)
//   momentum  v = momentum * v + delta;  x' = x + server_lr * v    (FedAvgM)
//   adam      m = b1 m + (1-b1) delta;  v = b2 v + (1-b2) delta^2
//   yogi      m as adam;  v = v - (1-b2) delta^2 sign(v - delta^2)
//   adagrad   m as adam;  v = v + delta^2
//             and for the three:  x' = x + server_lr * m / (sqrt(v) + tau)
// State starts at m = 0, v = tau^2 (the paper's v_{-1} >= tau^2), no bias correction, as in
// the paper. State is per coordinate in double. Step is a pure function of (x, delta, state).
// Thread-safety: const methods, no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace fedtee::aggregator {

struct OptimizerOptions {
  enum class Kind { kNone, kMomentum, kAdam, kYogi, kAdagrad };
  Kind kind = Kind::kNone;
  double server_lr = 1.0;  // eta
  double momentum = 0.9;   // FedAvgM's beta
  double beta1 = 0.9;      // first moment decay (adam, yogi, adagrad)
  double beta2 = 0.99;     // second moment decay (adam, yogi)
  double tau = 1e-3;       // adaptivity / initial sqrt(v)
};

// What carries from one round to the next.
struct OptimizerState {
  std::vector<double> m;  // first moment (momentum buffer for FedAvgM); empty = fresh
  std::vector<double> v;  // second moment (adaptive kinds)
  uint64_t steps = 0;     // rounds applied
};

class ServerOptimizer {
 public:
  explicit ServerOptimizer(OptimizerOptions options) : o_(options) {}

  // The new model from the global `x` and the aggregated `delta` (same size), given the
  // state before the round (a state of another size starts fresh); writes the state after
  // the round to *next. INTERNAL "aggregate.non_finite" when a value overflows float32.
  Result<std::vector<float>> Step(std::span<const float> x, std::span<const double> delta,
                                  const OptimizerState& state, OptimizerState* next) const;

  // The hyper-parameters in force, for the receipt (empty for kNone).
  std::map<std::string, double> params() const;
  const OptimizerOptions& options() const { return o_; }

 private:
  OptimizerOptions o_;
};

}  // namespace fedtee::aggregator
