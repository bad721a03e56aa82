#include "participant/site_config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <functional>
#include <sstream>

#include "base/file.h"
#include "transport/curve_identity.h"
#include "transport/socket.h"

namespace fedtee::participant {
namespace {

enum class Kind { kString, kPath, kU64, kDouble };

struct KeyDef {
  const char* key;
  Kind kind;
  const char* help;
  std::function<Status(SiteConfig&, const std::string&)> set;
};

Status BadValue(std::string_view key, const std::string& why) {
  return Status::InvalidArgument("config.bad_value", std::string(key) + ": " + why);
}

Result<uint64_t> ParseU64(std::string_view key, const std::string& text) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return BadValue(key, "'" + text + "' is not a non-negative integer");
  }
  return v;
}

Result<double> ParseDouble(std::string_view key, const std::string& text) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(v)) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    return BadValue(key, "'" + text + "' is not a number");
  }
}

// Builds a setter for the u64 field `field` with an inclusive range.
std::function<Status(SiteConfig&, const std::string&)> U64Setter(const char* key, uint64_t lo,
                                                                 uint64_t hi,
                                                                 uint64_t& (*field)(SiteConfig&)) {
  return [key, lo, hi, field](SiteConfig& c, const std::string& text) -> Status {
    FEDTEE_ASSIGN_OR_RETURN(uint64_t v, ParseU64(key, text));
    if (v < lo || v > hi) {
      return BadValue(key, std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "]");
    }
    field(c) = v;
    return Status::Ok();
  };
}

const std::vector<KeyDef>& Defs() {
  static const std::vector<KeyDef> defs = {
      {"participant_id", Kind::kString, "This site's participant id (as enrolled)",
       [](SiteConfig& c, const std::string& v) -> Status {
         if (v.empty()) return BadValue("participant_id", "must not be empty");
         c.participant_id = v;
         return Status::Ok();
       }},
      {"coordinator", Kind::kString, "Coordinator endpoint, tcp://host:port",
       [](SiteConfig& c, const std::string& v) -> Status {
         Status s = transport::ValidateEndpoint(v);
         if (!s.ok()) return BadValue("coordinator", s.message());
         c.coordinator = v;
         return Status::Ok();
       }},
      {"coordinator_key", Kind::kString, "Coordinator CURVE public key (Z85, 40 chars)",
       [](SiteConfig& c, const std::string& v) -> Status {
         Status s = transport::ValidateZ85Key(v);
         if (!s.ok()) return BadValue("coordinator_key", s.message());
         c.coordinator_key = v;
         return Status::Ok();
       }},
      {"coordinator_key_file", Kind::kPath, "File holding the coordinator's CURVE public key",
       [](SiteConfig& c, const std::string& v) -> Status {
         c.coordinator_key_file = v;
         return Status::Ok();
       }},
      {"identity", Kind::kPath, "This site's CURVE secret file (fedtee identity new)",
       [](SiteConfig& c, const std::string& v) -> Status {
         c.identity = v;
         return Status::Ok();
       }},
      {"policy", Kind::kPath, "This site's attestation policy (TOML)",
       [](SiteConfig& c, const std::string& v) -> Status {
         c.policy = v;
         return Status::Ok();
       }},
      {"state_file", Kind::kPath,
       "Rollback-protection state (highest receipt seen); default <identity>.state.json",
       [](SiteConfig& c, const std::string& v) -> Status {
         c.state_file = v;
         return Status::Ok();
       }},
      {"chunk_bytes", Kind::kU64, "Plaintext bytes per sealed update chunk (default 1 MiB)",
       U64Setter("chunk_bytes", 1024, uint64_t{8} << 20,
                 [](SiteConfig& c) -> uint64_t& { return c.chunk_bytes; })},
      {"heartbeat_ms", Kind::kU64, "Heartbeat period while idle, ms (default 1000)",
       U64Setter("heartbeat_ms", 50, 600000,
                 [](SiteConfig& c) -> uint64_t& { return c.heartbeat_ms; })},
      {"attest_timeout_ms", Kind::kU64, "Wait for the aggregator's evidence, ms (default 10000)",
       U64Setter("attest_timeout_ms", 100, 3600000,
                 [](SiteConfig& c) -> uint64_t& { return c.attest_timeout_ms; })},
      {"update_status_timeout_ms", Kind::kU64,
       "Wait for the aggregator's UpdateStatus, ms (default 60000)",
       U64Setter("update_status_timeout_ms", 100, 3600000,
                 [](SiteConfig& c) -> uint64_t& { return c.update_status_timeout_ms; })},
      {"log_level", Kind::kString, "trace, debug, info, warn, error, off (default info)",
       [](SiteConfig& c, const std::string& v) -> Status {
         static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
         for (const char* l : kLevels) {
           if (v == l) {
             c.log_level = v;
             return Status::Ok();
           }
         }
         return BadValue("log_level", "'" + v + "' (trace, debug, info, warn, error, off)");
       }},
      {"metrics_json", Kind::kPath, "Append JSON metrics lines to this file",
       [](SiteConfig& c, const std::string& v) -> Status {
         c.metrics_json = v;
         return Status::Ok();
       }},
      {"max_rounds", Kind::kU64, "Exit after this many rounds; 0 = until Shutdown",
       U64Setter("max_rounds", 0, UINT64_MAX,
                 [](SiteConfig& c) -> uint64_t& { return c.max_rounds; })},
      {"data.csv", Kind::kPath, "Local examples (CSV)",
       [](SiteConfig& c, const std::string& v) -> Status {
         c.data.csv = v;
         return Status::Ok();
       }},
      {"data.format", Kind::kString, "csv (header row, named label column) or sklearn",
       [](SiteConfig& c, const std::string& v) -> Status {
         if (v != "csv" && v != "sklearn") {
           return BadValue("data.format", "'" + v + "' (csv or sklearn)");
         }
         c.data.format = v;
         return Status::Ok();
       }},
      {"data.label", Kind::kString, "Label column name for format csv (default label)",
       [](SiteConfig& c, const std::string& v) -> Status {
         if (v.empty()) return BadValue("data.label", "must not be empty");
         c.data.label = v;
         return Status::Ok();
       }},
      {"data.scaler", Kind::kPath, "Feature mean/std JSON (fedtee data split)",
       [](SiteConfig& c, const std::string& v) -> Status {
         c.data.scaler = v;
         return Status::Ok();
       }},
      {"data.eval_fraction", Kind::kDouble, "Local held-out share for evaluation (default 0.2)",
       [](SiteConfig& c, const std::string& v) -> Status {
         FEDTEE_ASSIGN_OR_RETURN(double f, ParseDouble("data.eval_fraction", v));
         if (f < 0 || f > 0.9) return BadValue("data.eval_fraction", v + " is outside [0, 0.9]");
         c.data.eval_fraction = f;
         return Status::Ok();
       }},
      {"data.seed", Kind::kU64, "Seed of the local train/eval split (default 1)",
       U64Setter("data.seed", 0, UINT64_MAX,
                 [](SiteConfig& c) -> uint64_t& { return c.data.seed; })},
  };
  return defs;
}

const KeyDef* FindDef(std::string_view key) {
  for (const KeyDef& d : Defs()) {
    if (key == d.key) return &d;
  }
  return nullptr;
}

std::string FlagFor(std::string_view key) {
  std::string f = "--";
  for (char ch : key) f += (ch == '.' || ch == '_') ? '-' : ch;
  return f;
}

// The text form of a TOML value for SetSiteConfigValue.
Result<std::string> NodeText(std::string_view key, const toml::node& node) {
  if (auto s = node.as_string()) return std::string(s->get());
  if (auto i = node.as_integer()) {
    if (i->get() < 0) return BadValue(key, "must not be negative");
    return std::to_string(i->get());
  }
  if (auto f = node.as_floating_point()) {
    std::ostringstream os;
    os.precision(17);
    os << f->get();
    return os.str();
  }
  return BadValue(key, "expected a string or a number");
}

Status SetFromNode(SiteConfig& config, std::string_view key, const toml::node& node,
                   const std::filesystem::path& base_dir) {
  const KeyDef* def = FindDef(key);
  if (def == nullptr) {
    return Status::InvalidArgument("config.unknown_key", "unknown key '" + std::string(key) + "'");
  }
  FEDTEE_ASSIGN_OR_RETURN(std::string text, NodeText(key, node));
  if (def->kind == Kind::kPath && !text.empty()) {
    std::filesystem::path p(text);
    if (p.is_relative()) text = (base_dir / p).lexically_normal().string();
  }
  return SetSiteConfigValue(config, key, text);
}

}  // namespace

const std::vector<SiteConfigKey>& SiteConfigKeys() {
  static const std::vector<SiteConfigKey> keys = [] {
    std::vector<SiteConfigKey> out;
    for (const KeyDef& d : Defs()) out.push_back({d.key, FlagFor(d.key), d.help});
    return out;
  }();
  return keys;
}

Status SetSiteConfigValue(SiteConfig& config, std::string_view key, const std::string& value) {
  const KeyDef* def = FindDef(key);
  if (def == nullptr) {
    return Status::InvalidArgument("config.unknown_key", "unknown key '" + std::string(key) + "'");
  }
  return def->set(config, value);
}

Status ParseSiteConfigToml(std::string_view text, const std::filesystem::path& base_dir,
                           SiteConfig& config) {
  toml::table table;
  try {
    table = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("config.invalid_file",
                                   "line " + std::to_string(e.source().begin.line) + ", column " +
                                       std::to_string(e.source().begin.column) + ": " +
                                       std::string(e.description()));
  }
  for (const auto& [k, node] : table) {
    std::string key(k.str());
    if (key == "data") {
      const toml::table* data = node.as_table();
      if (data == nullptr) return BadValue("data", "must be a table ([data])");
      for (const auto& [dk, dnode] : *data) {
        FEDTEE_RETURN_IF_ERROR(
            SetFromNode(config, "data." + std::string(dk.str()), dnode, base_dir));
      }
      continue;
    }
    FEDTEE_RETURN_IF_ERROR(SetFromNode(config, key, node, base_dir));
  }
  return Status::Ok();
}

Status LoadSiteConfigFile(const std::filesystem::path& path, SiteConfig& config) {
  auto text = ReadTextFile(path, size_t{1} << 20);
  if (!text.ok()) return text.status().Wrap("reading site config " + path.string());
  Status s = ParseSiteConfigToml(*text, path.parent_path(), config);
  if (!s.ok()) return s.Wrap(path.string());
  return Status::Ok();
}

Status FinalizeSiteConfig(SiteConfig& config) {
  auto missing = [](const char* key) {
    return Status::InvalidArgument("config.missing_key", std::string("missing required key '") +
                                                             key + "' (flag " + FlagFor(key) + ")");
  };
  if (config.participant_id.empty()) return missing("participant_id");
  if (config.coordinator.empty()) return missing("coordinator");
  if (!config.coordinator_key.empty() && !config.coordinator_key_file.empty()) {
    return Status::InvalidArgument("config.conflict",
                                   "give coordinator_key or coordinator_key_file, not both");
  }
  if (config.coordinator_key.empty() && config.coordinator_key_file.empty()) {
    return missing("coordinator_key");
  }
  if (config.identity.empty()) return missing("identity");
  if (config.policy.empty()) return missing("policy");
  if (config.data.csv.empty()) return missing("data.csv");
  if (config.state_file.empty()) config.state_file = config.identity.string() + ".state.json";
  return Status::Ok();
}

Result<std::string> ResolveCoordinatorKey(const SiteConfig& config) {
  if (!config.coordinator_key.empty()) return config.coordinator_key;
  auto key = transport::LoadPublicKey(config.coordinator_key_file);
  if (!key.ok()) {
    return key.status().Wrap("reading coordinator key " + config.coordinator_key_file.string());
  }
  return key;
}

}  // namespace fedtee::participant
