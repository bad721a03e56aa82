#include "coordinator/config.h"

#include <toml++/toml.h>

#include <cmath>
#include <map>
#include <set>

#include "base/file.h"

namespace fedtee::coordinator {
namespace {

Status Bad(const std::string& key, const std::string& why) {
  return Status::InvalidArgument("config.invalid", "federation config: " + key + ": " + why);
}

// The aggregator's strategy catalogue (aggregator/strategies/catalog.cc; docs/strategies.md):
// names, the parameters each takes and their ranges, checked here so a typo fails at start
// rather than at the first RoundOpen. Keep the two in step.
struct ParamRange {
  double lo, hi;
  bool lo_open = false, hi_open = false, integer = false;
};

Status ValidateStrategy(const std::string& name, const std::map<std::string, double>& params) {
  constexpr double kInf = 1e300;
  const ParamRange positive{0, kInf, true};
  const ParamRange unit_open{0, 1, false, true};
  const ParamRange max_updates{1, 65536, false, false, true};
  std::map<std::string, ParamRange> allowed;
  if (name == "fedavgm") {
    allowed = {{"server_lr", positive}, {"momentum", unit_open}};
  } else if (name == "fedadam" || name == "fedyogi") {
    allowed = {{"server_lr", positive}, {"beta1", unit_open}, {"beta2", unit_open},
               {"tau", positive}};
  } else if (name == "fedadagrad") {
    allowed = {{"server_lr", positive}, {"beta1", unit_open}, {"tau", positive}};
  } else if (name == "median") {
    allowed = {{"max_updates", max_updates}};
  } else if (name == "trimmed_mean") {
    allowed = {{"max_updates", max_updates}, {"beta", {0, 0.5, false, true}}};
  } else if (name == "krum") {
    allowed = {{"max_updates", max_updates},
               {"f", {0, 65536, false, false, true}},
               {"m", {1, 65536, false, false, true}}};
  } else if (name != "fedavg") {
    return Bad("strategy.name",
               "'" + name +
                   "' is not supported (fedavg, fedavgm, fedadam, fedyogi, fedadagrad, median, "
                   "trimmed_mean, krum)");
  }
  // Clipping and central DP wrap every strategy.
  allowed["clip_norm"] = {0, kInf};
  allowed["clip_quantile"] = unit_open;
  allowed["clip_lr"] = positive;
  allowed["clip_count_stddev"] = {0, kInf};
  allowed["noise_multiplier"] = {0, kInf};
  allowed["dp_delta"] = {0, 1, true, true};
  allowed["dp_sampling_rate"] = {0, 1, true};
  for (const auto& [key, v] : params) {
    auto it = allowed.find(key);
    if (it == allowed.end()) {
      return Bad("strategy." + key, "is not a parameter of '" + name + "' (docs/strategies.md)");
    }
    const ParamRange& r = it->second;
    const bool ok = std::isfinite(v) && (r.lo_open ? v > r.lo : v >= r.lo) &&
                    (r.hi_open ? v < r.hi : v <= r.hi) && (!r.integer || v == std::floor(v));
    if (!ok) {
      return Bad("strategy." + key, std::to_string(v) + " is out of range (docs/strategies.md)");
    }
  }
  auto get = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? 0.0 : it->second;
  };
  if (get("clip_quantile") > 0 && !(get("clip_norm") > 0)) {
    return Bad("strategy.clip_quantile", "needs clip_norm > 0 (the initial clip norm)");
  }
  if (get("noise_multiplier") > 0) {
    if (!(get("clip_norm") > 0)) {
      return Bad("strategy.noise_multiplier", "needs clip_norm > 0 (the sensitivity)");
    }
    if (name == "median" || name == "trimmed_mean" || name == "krum") {
      return Bad("strategy.noise_multiplier", "central DP is only for mean-based strategies");
    }
    if (get("clip_quantile") > 0 && !(2 * get("clip_count_stddev") > get("noise_multiplier"))) {
      return Bad("strategy.clip_count_stddev",
                 "must exceed noise_multiplier / 2 under adaptive clipping with DP");
    }
  }
  return Status::Ok();
}

// Reads typed values from one TOML table and remembers which keys were used, so unknown
// keys (typos) are reported instead of silently ignored.
class Reader {
 public:
  Reader(const toml::table& t, std::string prefix) : t_(t), prefix_(std::move(prefix)) {}

  template <typename T>
  Status Get(const std::string& key, T* out) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return Status::Ok();
    if constexpr (std::is_same_v<T, std::string>) {
      if (!n->is_string()) return Bad(Name(key), "expected a string");
      *out = n->as_string()->get();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!n->is_boolean()) return Bad(Name(key), "expected true or false");
      *out = n->as_boolean()->get();
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!n->is_number()) return Bad(Name(key), "expected a number");
      *out = static_cast<T>(n->value<double>().value());
    } else {
      if (!n->is_integer()) return Bad(Name(key), "expected an integer");
      int64_t v = n->as_integer()->get();
      if (v < 0 || static_cast<uint64_t>(v) > std::numeric_limits<T>::max()) {
        return Bad(Name(key), "out of range: " + std::to_string(v));
      }
      *out = static_cast<T>(v);
    }
    return Status::Ok();
  }

  Status GetPath(const std::string& key, const std::filesystem::path& base,
                 std::filesystem::path* out) {
    std::string s;
    FEDTEE_RETURN_IF_ERROR(Get(key, &s));
    if (!s.empty()) *out = std::filesystem::path(s).is_absolute() ? std::filesystem::path(s) : base / s;
    return Status::Ok();
  }

  const toml::table* Table(const std::string& key) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    return n ? n->as_table() : nullptr;
  }

  Status CheckUnknown() const {
    for (const auto& [k, v] : t_) {
      if (!used_.count(std::string(k.str()))) return Bad(Name(std::string(k.str())), "unknown key");
    }
    return Status::Ok();
  }

  std::string Name(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "." + key;
  }

 private:
  const toml::table& t_;
  std::string prefix_;
  std::set<std::string> used_;
};

}  // namespace

Result<FederationConfig> ParseFederationConfig(std::string_view text,
                                               const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(
        "config.invalid", "federation config: TOML syntax error at line " +
                              std::to_string(e.source().begin.line) + ": " +
                              std::string(e.description()));
  }
  FederationConfig c;
  Reader r(root, "");
  FEDTEE_RETURN_IF_ERROR(r.Get("federation_id", &c.federation_id));
  FEDTEE_RETURN_IF_ERROR(r.Get("listen", &c.listen));
  FEDTEE_RETURN_IF_ERROR(r.Get("aggregator_listen", &c.aggregator_listen));
  FEDTEE_RETURN_IF_ERROR(r.GetPath("identity", base_dir, &c.identity));
  FEDTEE_RETURN_IF_ERROR(r.GetPath("roster", base_dir, &c.roster));
  FEDTEE_RETURN_IF_ERROR(r.GetPath("policy", base_dir, &c.policy));
  FEDTEE_RETURN_IF_ERROR(r.GetPath("checkpoint_dir", base_dir, &c.checkpoint_dir));
  if (c.checkpoint_dir.is_relative()) c.checkpoint_dir = base_dir / c.checkpoint_dir;
  FEDTEE_RETURN_IF_ERROR(r.Get("rounds", &c.rounds));
  FEDTEE_RETURN_IF_ERROR(r.Get("participants_per_round", &c.participants_per_round));
  FEDTEE_RETURN_IF_ERROR(r.Get("min_participants", &c.min_participants));
  FEDTEE_RETURN_IF_ERROR(r.Get("round_timeout_seconds", &c.round_timeout_seconds));
  FEDTEE_RETURN_IF_ERROR(r.Get("finalize_timeout_seconds", &c.finalize_timeout_seconds));
  FEDTEE_RETURN_IF_ERROR(r.Get("start_timeout_seconds", &c.start_timeout_seconds));
  FEDTEE_RETURN_IF_ERROR(r.Get("heartbeat_timeout_seconds", &c.heartbeat_timeout_seconds));
  FEDTEE_RETURN_IF_ERROR(r.Get("max_round_retries", &c.max_round_retries));
  FEDTEE_RETURN_IF_ERROR(r.Get("max_message_bytes", &c.max_message_bytes));
  FEDTEE_RETURN_IF_ERROR(r.Get("chunk_bytes", &c.chunk_bytes));
  FEDTEE_RETURN_IF_ERROR(r.Get("max_examples_per_update", &c.max_examples_per_update));
  FEDTEE_RETURN_IF_ERROR(r.Get("seed", &c.seed));

  if (const toml::table* m = r.Table("model")) {
    Reader mr(*m, "model");
    FEDTEE_RETURN_IF_ERROR(mr.Get("kind", &c.model.kind));
    FEDTEE_RETURN_IF_ERROR(mr.Get("num_features", &c.model.num_features));
    FEDTEE_RETURN_IF_ERROR(mr.Get("num_classes", &c.model.num_classes));
    FEDTEE_RETURN_IF_ERROR(mr.Get("init_seed", &c.model.init_seed));
    if (const toml::node* h = m->get("hidden")) {
      const toml::array* arr = h->as_array();
      if (!arr) return Bad("model.hidden", "expected an array of integers");
      for (const auto& e : *arr) {
        if (!e.is_integer() || e.as_integer()->get() <= 0) {
          return Bad("model.hidden", "expected positive integers");
        }
        c.model.hidden.push_back(static_cast<uint32_t>(e.as_integer()->get()));
      }
    }
    mr.Table("hidden");
    FEDTEE_RETURN_IF_ERROR(mr.CheckUnknown());
  }
  if (const toml::table* t = r.Table("train")) {
    Reader tr(*t, "train");
    FEDTEE_RETURN_IF_ERROR(tr.Get("epochs", &c.train.epochs));
    FEDTEE_RETURN_IF_ERROR(tr.Get("batch_size", &c.train.batch_size));
    FEDTEE_RETURN_IF_ERROR(tr.Get("learning_rate", &c.train.learning_rate));
    FEDTEE_RETURN_IF_ERROR(tr.Get("l2", &c.train.l2));
    FEDTEE_RETURN_IF_ERROR(tr.Get("fedprox_mu", &c.train.fedprox_mu));
    FEDTEE_RETURN_IF_ERROR(tr.CheckUnknown());
  }
  if (const toml::table* s = r.Table("strategy")) {
    for (const auto& [k, v] : *s) {
      std::string key(k.str());
      if (key == "name") {
        if (!v.is_string()) return Bad("strategy.name", "expected a string");
        c.strategy = v.as_string()->get();
      } else if (v.is_number()) {
        c.strategy_params[key] = v.value<double>().value();
      } else {
        return Bad("strategy." + key, "strategy parameters are numbers");
      }
    }
  }
  FEDTEE_RETURN_IF_ERROR(r.CheckUnknown());
  FEDTEE_RETURN_IF_ERROR(ValidateFederationConfig(c));
  return c;
}

Status ValidateFederationConfig(const FederationConfig& c) {
  if (c.federation_id.empty() || c.federation_id.size() > 64 ||
      c.federation_id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789._-") != std::string::npos) {
    return Bad("federation_id", "required, 1-64 of [A-Za-z0-9._-]");
  }
  if (c.identity.empty()) return Bad("identity", "required (make one: fedtee identity new)");
  if (c.roster.empty()) return Bad("roster", "required (the enrolled participants)");
  if (c.policy.empty()) return Bad("policy", "required (the aggregator attestation policy)");
  if (c.rounds == 0) return Bad("rounds", "must be at least 1");
  if (c.min_participants == 0) return Bad("min_participants", "must be at least 1");
  if (c.participants_per_round != 0 && c.participants_per_round < c.min_participants) {
    return Bad("participants_per_round", "is below min_participants");
  }
  if (c.model.kind != "logistic_regression" && c.model.kind != "mlp") {
    return Bad("model.kind", "'" + c.model.kind + "' is not logistic_regression or mlp");
  }
  if (c.model.num_features == 0) return Bad("model.num_features", "required");
  if (c.model.num_classes < 2) return Bad("model.num_classes", "must be at least 2");
  if (c.model.kind == "mlp" && (c.model.hidden.empty() || c.model.hidden.size() > 2)) {
    return Bad("model.hidden", "an mlp has one or two hidden layers");
  }
  FEDTEE_RETURN_IF_ERROR(ValidateStrategy(c.strategy, c.strategy_params));
  if (c.chunk_bytes == 0 || c.chunk_bytes + 4096 > c.max_message_bytes) {
    return Bad("chunk_bytes", "must be positive and leave room below max_message_bytes");
  }
  if (c.round_timeout_seconds == 0) return Bad("round_timeout_seconds", "must be positive");
  if (c.train.batch_size == 0 || c.train.epochs == 0) {
    return Bad("train", "epochs and batch_size must be positive");
  }
  if (!(c.train.learning_rate > 0)) return Bad("train.learning_rate", "must be positive");
  return Status::Ok();
}

Result<FederationConfig> LoadFederationConfig(const std::filesystem::path& path) {
  FEDTEE_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  auto c = ParseFederationConfig(text, path.parent_path().empty() ? "." : path.parent_path());
  if (!c.ok()) return c.status().Wrap(path.string());
  return c;
}

}  // namespace fedtee::coordinator
