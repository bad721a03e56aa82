#include "aggregator/strategies/catalog.h"

#include <cmath>
#include <set>
#include <utility>

#include "aggregator/strategies/krum.h"
#include "aggregator/strategies/median.h"
#include "aggregator/strategies/trimmed_mean.h"
#include "aggregator/strategies/weighted_mean.h"

namespace fedtee::aggregator {
namespace {

using Kind = OptimizerOptions::Kind;

constexpr double kDefaultMaxUpdates = 128;

Status Bad(const std::string& name, const std::string& key, const std::string& why) {
  return Status::InvalidArgument("round.bad_strategy_params",
                                 name + ": parameter '" + key + "' " + why);
}

// Reads the parameters one by one; whatever is left unread at the end is unknown.
class Params {
 public:
  Params(std::string name, const std::map<std::string, double>& p) : name_(std::move(name)), p_(p) {}

  // Reads `key` (or keeps *out, the default) and checks lo <= v <= hi (open ends when
  // the flags say so) and, when `integer`, that it is a whole number.
  Status Get(const std::string& key, double* out, double lo, double hi, bool lo_open = false,
             bool hi_open = false, bool integer = false) {
    auto it = p_.find(key);
    if (it == p_.end()) return Status::Ok();
    used_.insert(key);
    const double v = it->second;
    const bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) &&
                    (hi_open ? v < hi : v <= hi) && (!integer || v == std::floor(v));
    if (!ok) {
      return Bad(name_, key,
                 "is " + std::to_string(v) + ", expected " + (integer ? "an integer " : "") +
                     "in " + (lo_open ? "(" : "[") + std::to_string(lo) + ", " +
                     std::to_string(hi) + (hi_open ? ")" : "]"));
    }
    *out = v;
    return Status::Ok();
  }
  Status CheckUnknown() const {
    for (const auto& [k, v] : p_) {
      if (!used_.count(k)) return Bad(name_, k, "is not taken by this strategy");
    }
    return Status::Ok();
  }

 private:
  std::string name_;
  const std::map<std::string, double>& p_;
  std::set<std::string> used_;
};

}  // namespace

const std::vector<std::string>& StrategyNames() {
  static const std::vector<std::string> names = {"fedavg",     "fedavgm", "fedadam",
                                                 "fedyogi",    "fedadagrad", "median",
                                                 "trimmed_mean", "krum"};
  return names;
}

Result<std::unique_ptr<ComposedStrategy>> BuildStrategy(
    const std::string& requested, const std::map<std::string, double>& params,
    size_t max_in_flight) {
  const std::string name = requested.empty() ? "fedavg" : requested;
  Params p(name, params);
  ComposedOptions o;
  o.name = name;
  o.max_in_flight = max_in_flight;
  OptimizerOptions& opt = o.optimizer;
  constexpr double kInf = 1e300;

  // The server optimisers.
  if (name == "fedavgm") {
    opt = {Kind::kMomentum, 1.0, 0.9, 0.9, 0.99, 1e-3};
    FEDTEE_RETURN_IF_ERROR(p.Get("server_lr", &opt.server_lr, 0, kInf, true));
    FEDTEE_RETURN_IF_ERROR(p.Get("momentum", &opt.momentum, 0, 1, false, true));
  } else if (name == "fedadam" || name == "fedyogi" || name == "fedadagrad") {
    if (name == "fedadam") opt = {Kind::kAdam, 0.1, 0.9, 0.9, 0.99, 1e-3};
    if (name == "fedyogi") opt = {Kind::kYogi, 0.01, 0.9, 0.9, 0.99, 1e-3};
    if (name == "fedadagrad") opt = {Kind::kAdagrad, 0.1, 0.9, 0.0, 0.99, 1e-3};
    FEDTEE_RETURN_IF_ERROR(p.Get("server_lr", &opt.server_lr, 0, kInf, true));
    FEDTEE_RETURN_IF_ERROR(p.Get("beta1", &opt.beta1, 0, 1, false, true));
    if (name != "fedadagrad") FEDTEE_RETURN_IF_ERROR(p.Get("beta2", &opt.beta2, 0, 1, false, true));
    FEDTEE_RETURN_IF_ERROR(p.Get("tau", &opt.tau, 0, kInf, true));
  }

  // The aggregation rule.
  std::unique_ptr<AggregationRule> rule;
  double max_updates = kDefaultMaxUpdates;
  const bool robust = name == "median" || name == "trimmed_mean" || name == "krum";
  if (robust) {
    FEDTEE_RETURN_IF_ERROR(p.Get("max_updates", &max_updates, 1, 65536, false, false, true));
  }
  if (name == "median") {
    rule = std::make_unique<MedianRule>(static_cast<size_t>(max_updates));
  } else if (name == "trimmed_mean") {
    double beta = 0.1;
    FEDTEE_RETURN_IF_ERROR(p.Get("beta", &beta, 0, 0.5, false, true));
    rule = std::make_unique<TrimmedMeanRule>(beta, static_cast<size_t>(max_updates));
  } else if (name == "krum") {
    double f = 1, m = 1;
    FEDTEE_RETURN_IF_ERROR(p.Get("f", &f, 0, 65536, false, false, true));
    FEDTEE_RETURN_IF_ERROR(p.Get("m", &m, 1, 65536, false, false, true));
    rule = std::make_unique<KrumRule>(static_cast<size_t>(f), static_cast<size_t>(m),
                                      static_cast<size_t>(max_updates));
  } else if (name != "fedavg" && name != "fedavgm" && name != "fedadam" && name != "fedyogi" &&
             name != "fedadagrad") {
    std::string all;
    for (const auto& n : StrategyNames()) all += (all.empty() ? "" : ", ") + n;
    return Status::InvalidArgument("round.unknown_strategy",
                                   "strategy '" + name + "' is not supported (supported: " + all + ")");
  }

  // The wrappers: clipping and central DP.
  ClipOptions& c = o.clip;
  FEDTEE_RETURN_IF_ERROR(p.Get("clip_norm", &c.clip_norm, 0, kInf));
  FEDTEE_RETURN_IF_ERROR(p.Get("clip_quantile", &c.target_quantile, 0, 1, false, true));
  FEDTEE_RETURN_IF_ERROR(p.Get("clip_lr", &c.clip_lr, 0, kInf, true));
  FEDTEE_RETURN_IF_ERROR(p.Get("clip_count_stddev", &c.count_stddev, 0, kInf));
  DpOptions& dp = o.dp;
  FEDTEE_RETURN_IF_ERROR(p.Get("noise_multiplier", &dp.noise_multiplier, 0, kInf));
  FEDTEE_RETURN_IF_ERROR(p.Get("dp_delta", &dp.delta, 0, 1, true, true));
  FEDTEE_RETURN_IF_ERROR(p.Get("dp_sampling_rate", &dp.sampling_rate, 0, 1, true));
  FEDTEE_RETURN_IF_ERROR(p.CheckUnknown());
  if (c.target_quantile > 0 && !(c.clip_norm > 0)) {
    return Bad(name, "clip_quantile", "needs clip_norm > 0 (the initial clip norm)");
  }
  if (dp.enabled()) {
    if (!(c.clip_norm > 0)) {
      return Bad(name, "noise_multiplier", "needs clip_norm > 0 (the sensitivity)");
    }
    if (robust) {
      return Bad(name, "noise_multiplier",
                 "is only for mean-based strategies (a " + name +
                     "'s sensitivity is not clip_norm / n)");
    }
    if (c.adaptive() && !(2 * c.count_stddev > dp.noise_multiplier)) {
      return Bad(name, "clip_count_stddev",
                 "must exceed noise_multiplier / 2 under adaptive clipping with DP");
    }
  }
  if (!rule) rule = std::make_unique<WeightedMeanRule>(/*uniform=*/dp.enabled());
  return std::make_unique<ComposedStrategy>(std::move(o), std::move(rule));
}

}  // namespace fedtee::aggregator
