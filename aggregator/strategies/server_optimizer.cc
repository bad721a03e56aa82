#include "aggregator/strategies/server_optimizer.h"

#include <cmath>
#include <string>

namespace fedtee::aggregator {

using Kind = OptimizerOptions::Kind;

Result<std::vector<float>> ServerOptimizer::Step(std::span<const float> x,
                                                 std::span<const double> delta,
                                                 const OptimizerState& state,
                                                 OptimizerState* next) const {
  const size_t n = x.size();
  next->steps = state.steps + 1;
  const bool fresh = state.m.size() != n || (o_.kind != Kind::kMomentum && state.v.size() != n);
  std::vector<double> step(n);
  switch (o_.kind) {
    case Kind::kNone:
      for (size_t i = 0; i < n; ++i) step[i] = delta[i];
      next->m.clear();
      next->v.clear();
      break;
    case Kind::kMomentum:
      next->m.assign(n, 0.0);
      next->v.clear();
      for (size_t i = 0; i < n; ++i) {
        const double v = (fresh ? 0.0 : o_.momentum * state.m[i]) + delta[i];
        next->m[i] = v;
        step[i] = o_.server_lr * v;
      }
      break;
    case Kind::kAdam:
    case Kind::kYogi:
    case Kind::kAdagrad: {
      next->m.assign(n, 0.0);
      next->v.assign(n, 0.0);
      const double v0 = o_.tau * o_.tau;
      for (size_t i = 0; i < n; ++i) {
        const double d = delta[i];
        const double d2 = d * d;
        const double m_prev = fresh ? 0.0 : state.m[i];
        const double v_prev = fresh ? v0 : state.v[i];
        const double m = o_.beta1 * m_prev + (1.0 - o_.beta1) * d;
        double v;
        if (o_.kind == Kind::kAdam) {
          v = o_.beta2 * v_prev + (1.0 - o_.beta2) * d2;
        } else if (o_.kind == Kind::kYogi) {
          const double s = v_prev - d2;
          const double sign = s > 0 ? 1.0 : (s < 0 ? -1.0 : 0.0);
          v = v_prev - (1.0 - o_.beta2) * d2 * sign;
        } else {
          v = v_prev + d2;
        }
        next->m[i] = m;
        next->v[i] = v;
        step[i] = o_.server_lr * m / (std::sqrt(v) + o_.tau);
      }
      break;
    }
  }
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<float>(static_cast<double>(x[i]) + step[i]);
    if (!std::isfinite(out[i])) {
      return Status::Internal("aggregate.non_finite",
                              "aggregate value " + std::to_string(i) + " overflows float32");
    }
  }
  return out;
}

std::map<std::string, double> ServerOptimizer::params() const {
  switch (o_.kind) {
    case Kind::kNone:
      return {};
    case Kind::kMomentum:
      return {{"server_lr", o_.server_lr}, {"momentum", o_.momentum}};
    case Kind::kAdam:
    case Kind::kYogi:
      return {{"server_lr", o_.server_lr}, {"beta1", o_.beta1}, {"beta2", o_.beta2}, {"tau", o_.tau}};
    case Kind::kAdagrad:
      return {{"server_lr", o_.server_lr}, {"beta1", o_.beta1}, {"tau", o_.tau}};
  }
  return {};
}

}  // namespace fedtee::aggregator
