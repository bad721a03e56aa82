// The strategy the service drives for every name (docs/strategies.md): an aggregation rule
// (weighted mean, median, trimmed mean, Krum) wrapped by the cross-cutting features, in
// this order:
//   Commit:    staged update -> clip to the round's clip norm (clipping.h) -> rule.Add
//   Finalize:  rule.Aggregate -> + Gaussian noise (central DP, gaussian_noise.h)
//              -> server optimiser step (server_optimizer.h) -> new model
// DP noise goes on the aggregated delta, before the optimiser, so the optimiser's output is
// post-processing of a Gaussian mechanism: std = z * C / n for n committed updates, z the
// noise multiplier, C the clip norm (z is split with the clip-count noise under adaptive
// clipping, Andrew et al. 2021 Sec. 3.1). Only rules whose aggregate is a uniform mean take
// noise (MakeStrategy refuses the others: a median's sensitivity is not C / n).
//
// State across rounds (optimiser moments, the adaptive clip norm, rounds done) lives in
// CarriedState. Finalize computes the state after the round without changing what the
// object returns (the result and that state are cached); a strategy made for the next
// round continues from it with ContinueFrom. A restarted aggregator starts afresh (it keeps
// nothing across restarts), except the privacy accounting, which counts the round number.
// Thread-safety: not thread-safe (see strategy.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aggregator/strategies/clipping.h"
#include "aggregator/strategies/gaussian_noise.h"
#include "aggregator/strategies/rdp_accountant.h"
#include "aggregator/strategies/rule.h"
#include "aggregator/strategies/server_optimizer.h"
#include "aggregator/strategies/staging.h"
#include "aggregator/strategies/strategy.h"

namespace fedtee::aggregator {

struct DpOptions {
  // Noise multiplier z (noise std / sensitivity); 0 = no noise, no accounting.
  double noise_multiplier = 0;
  // The delta epsilon is reported for. Default 1e-5.
  double delta = 1e-5;
  // Sampling rate q the accountant assumes (Poisson sampling); 1 = every participant,
  // every round. Default 1.
  double sampling_rate = 1.0;
  // Tests only: draw noise reproducibly from this seed instead of the OS CSPRNG.
  std::optional<uint64_t> seed;

  bool enabled() const { return noise_multiplier > 0; }
};

// What one round hands to the next, within one aggregator process.
struct CarriedState {
  OptimizerState optimizer;
  double clip_norm = 0;  // the adaptive clip norm in force; 0 = the configured one
  uint64_t rounds = 0;   // rounds finalized by this chain of strategies
};

struct ComposedOptions {
  std::string name;            // as in RoundOpen.strategy and the receipt
  size_t max_in_flight = 0;    // staged updates at once; 0 = unbounded
  ClipOptions clip;
  DpOptions dp;
  OptimizerOptions optimizer;
};

class ComposedStrategy final : public Strategy {
 public:
  ComposedStrategy(ComposedOptions options, std::unique_ptr<AggregationRule> rule);
  ~ComposedStrategy() override;

  // Takes over `previous`'s state after its last Finalize (or its state at Reset when it
  // was never finalized) when it is the same strategy with the same parameters; otherwise
  // nothing changes.
  void ContinueFrom(const ComposedStrategy& previous);
  // The round this strategy serves (RoundOpen.round; 0 = unknown): the accountant counts
  // max(round, rounds carried + 1) rounds, so a restart never under-reports epsilon.
  void set_round(uint64_t round) { round_ = round; }
  void set_max_in_flight(size_t n) { staging_.set_max_in_flight(n); }

  std::string name() const override { return o_.name; }
  // Configured parameters with their defaults, plus what this round reports:
  // "dp_epsilon" (spent after this round, for dp_delta) and "clip_norm_round" (adaptive).
  std::map<std::string, double> params() const override;
  void Reset(std::vector<float> global) override;
  size_t num_params() const override { return global_.size(); }
  Result<StageId> Stage(uint64_t num_examples) override;
  Status Append(StageId id, std::span<const float> values) override;
  Status Commit(StageId id) override;
  void Abort(StageId id) override { staging_.Abort(id); }
  size_t committed_updates() const override { return rule_->count(); }
  uint64_t committed_examples() const override { return examples_; }
  size_t in_flight() const override { return staging_.in_flight(); }
  Result<std::vector<float>> Finalize() const override;

  // The configured parameters only (what must match for ContinueFrom).
  std::map<std::string, double> config_params() const;
  // The state this round started from, and the one after Finalize (nullopt before).
  const CarriedState& carried() const { return carried_; }
  const std::optional<CarriedState>& next_state() const { return next_; }
  // The clip norm applied to this round's updates (0 = no clipping).
  double clip_norm() const;
  // Privacy spent once this round is released (counts it); epsilon 0 without DP.
  PrivacySpent privacy_spent() const;
  // Updates committed within the clip norm this round.
  size_t unclipped_updates() const { return unclipped_; }

 private:
  void Invalidate() {
    result_.reset();
    next_.reset();
  }

  ComposedOptions o_;
  std::unique_ptr<AggregationRule> rule_;
  ServerOptimizer optimizer_;
  StagingArea staging_;
  bool has_model_ = false;
  std::vector<float> global_;
  uint64_t examples_ = 0;
  size_t unclipped_ = 0;
  uint64_t round_ = 0;
  CarriedState carried_;
  mutable std::optional<std::vector<float>> result_;
  mutable std::optional<CarriedState> next_;
  mutable std::unique_ptr<GaussianNoise> noise_;
};

}  // namespace fedtee::aggregator
