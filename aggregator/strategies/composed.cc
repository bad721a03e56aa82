#include "aggregator/strategies/composed.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace fedtee::aggregator {

ComposedStrategy::ComposedStrategy(ComposedOptions options, std::unique_ptr<AggregationRule> rule)
    : o_(std::move(options)),
      rule_(std::move(rule)),
      optimizer_(o_.optimizer),
      staging_(o_.max_in_flight) {}

ComposedStrategy::~ComposedStrategy() = default;

std::map<std::string, double> ComposedStrategy::config_params() const {
  std::map<std::string, double> p = rule_->params();
  for (const auto& [k, v] : optimizer_.params()) p[k] = v;
  const ClipOptions& c = o_.clip;
  if (c.enabled()) {
    p["clip_norm"] = c.clip_norm;
    if (c.adaptive()) {
      p["clip_quantile"] = c.target_quantile;
      p["clip_lr"] = c.clip_lr;
      p["clip_count_stddev"] = c.count_stddev;
    }
  }
  if (o_.dp.enabled()) {
    p["noise_multiplier"] = o_.dp.noise_multiplier;
    p["dp_delta"] = o_.dp.delta;
    p["dp_sampling_rate"] = o_.dp.sampling_rate;
  }
  return p;
}

std::map<std::string, double> ComposedStrategy::params() const {
  std::map<std::string, double> p = config_params();
  if (o_.clip.adaptive()) p["clip_norm_round"] = clip_norm();
  if (o_.dp.enabled()) p["dp_epsilon"] = privacy_spent().epsilon;
  return p;
}

void ComposedStrategy::ContinueFrom(const ComposedStrategy& previous) {
  if (previous.name() != name() || previous.config_params() != config_params()) return;
  carried_ = previous.next_ ? *previous.next_ : previous.carried_;
}

double ComposedStrategy::clip_norm() const {
  if (!o_.clip.enabled()) return 0;
  return o_.clip.adaptive() && carried_.clip_norm > 0 ? carried_.clip_norm : o_.clip.clip_norm;
}

PrivacySpent ComposedStrategy::privacy_spent() const {
  if (!o_.dp.enabled()) return {};
  const uint64_t rounds = std::max<uint64_t>(round_, carried_.rounds + 1);
  return EpsilonAfter(rounds, o_.dp.noise_multiplier, o_.dp.sampling_rate, o_.dp.delta);
}

void ComposedStrategy::Reset(std::vector<float> global) {
  staging_.Reset(global.size());
  rule_->Reset(global.size());
  global_ = std::move(global);
  examples_ = 0;
  unclipped_ = 0;
  has_model_ = true;
  Invalidate();
}

Result<StageId> ComposedStrategy::Stage(uint64_t num_examples) {
  if (!has_model_) {
    return Status::FailedPrecondition("round.no_model", "no global model for this round yet");
  }
  FEDTEE_RETURN_IF_ERROR(rule_->CanStage(staging_.in_flight()));
  return staging_.Stage(num_examples);
}

Status ComposedStrategy::Append(StageId id, std::span<const float> values) {
  return staging_.Append(id, values);
}

Status ComposedStrategy::Commit(StageId id) {
  FEDTEE_ASSIGN_OR_RETURN(StagingArea::Update u, staging_.Take(id));
  bool within = true;
  if (o_.clip.enabled()) within = ClipInPlace(u.values, L2Norm(u.values), clip_norm());
  if (Status s = rule_->Add(u.values, u.num_examples); !s.ok()) {
    WipeFloats(u.values);
    return s;
  }
  WipeFloats(u.values);  // empty already when the rule kept or wiped it
  examples_ += u.num_examples;
  if (within) ++unclipped_;
  Invalidate();
  return Status::Ok();
}

Result<std::vector<float>> ComposedStrategy::Finalize() const {
  if (result_) return *result_;
  if (!has_model_) {
    return Status::FailedPrecondition("round.no_model", "no global model for this round");
  }
  const size_t n = rule_->count();
  if (n == 0) return Status::FailedPrecondition("round.too_few_updates", "no update was committed");
  FEDTEE_ASSIGN_OR_RETURN(std::vector<double> delta, rule_->Aggregate());

  CarriedState next;
  next.rounds = carried_.rounds + 1;
  const ClipOptions& c = o_.clip;
  const bool need_noise = o_.dp.enabled() || (c.adaptive() && c.count_stddev > 0);
  if (need_noise && !noise_) {
    if (o_.dp.seed) {
      noise_ = GaussianNoise::FromSeed(*o_.dp.seed ^ (0x9E3779B97F4A7C15ull * next.rounds));
    } else {
      FEDTEE_ASSIGN_OR_RETURN(noise_, GaussianNoise::FromOsRandom());
    }
  }
  if (o_.dp.enabled()) {
    double z = o_.dp.noise_multiplier;
    if (c.adaptive()) {
      // Andrew et al. 2021: the update's share of the privacy budget.
      z = 1.0 / std::sqrt(1.0 / (z * z) - 1.0 / (4.0 * c.count_stddev * c.count_stddev));
    }
    noise_->AddTo(delta, z * clip_norm() / static_cast<double>(n));
  }
  next.clip_norm = carried_.clip_norm;
  if (c.adaptive()) {
    const double count_noise = c.count_stddev > 0 ? c.count_stddev * noise_->Normal() : 0.0;
    next.clip_norm = NextClipNorm(c, clip_norm(), unclipped_, n, count_noise);
  }
  FEDTEE_ASSIGN_OR_RETURN(std::vector<float> out,
                          optimizer_.Step(global_, delta, carried_.optimizer, &next.optimizer));
  WipeDoubles(delta);
  result_ = out;
  next_ = std::move(next);
  return out;
}

}  // namespace fedtee::aggregator
