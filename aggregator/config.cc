#include "aggregator/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <limits>
#include <map>
#include <type_traits>

#include "transport/curve_identity.h"

namespace fedtee::aggregator {
namespace {

// One config-file key: the flag it mirrors and how to store its value.
struct Key {
  std::string flag;
  std::function<bool(const toml::node&)> set;
};

template <typename T>
std::function<bool(const toml::node&)> Setter(T& field) {
  return [&field](const toml::node& n) {
    if constexpr (std::is_same_v<T, std::string>) {
      auto v = n.value<std::string>();
      if (!v) return false;
      field = *v;
    } else {
      auto v = n.value<int64_t>();
      if (!v || *v < 0 || static_cast<uint64_t>(*v) > std::numeric_limits<T>::max()) {
        return false;
      }
      field = static_cast<T>(*v);
    }
    return true;
  };
}

// A path from the config file: relative paths are taken from the file's directory.
std::function<bool(const toml::node&)> PathSetter(std::string& field,
                                                  const std::filesystem::path& base) {
  return [&field, base](const toml::node& n) {
    auto v = n.value<std::string>();
    if (!v) return false;
    std::filesystem::path p(*v);
    field = (p.is_relative() && !v->empty()) ? (base / p).string() : *v;
    return true;
  };
}

}  // namespace

Status LoadConfigFile(const std::string& path,
                      const std::function<bool(const std::string& flag)>& flag_given, Config& c) {
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  auto key_setter = [&c, base](const toml::node& n) {
    auto v = n.value<std::string>();
    if (!v) return false;
    // A Z85 key as is; otherwise a key file, relative to the config file.
    const bool inline_key =
        v->size() == transport::kZ85KeyLength && transport::ValidateZ85Key(*v).ok();
    c.coordinator_key =
        inline_key || std::filesystem::path(*v).is_absolute() ? *v : (base / *v).string();
    return true;
  };
  const std::map<std::string, Key> keys = {
      {"coordinator", {"--coordinator", Setter(c.coordinator)}},
      {"coordinator_key", {"--coordinator-key", key_setter}},
      {"listen", {"--listen", Setter(c.listen)}},
      {"advertise", {"--advertise", Setter(c.advertise)}},
      {"attestation", {"--attestation", Setter(c.attestation)}},
      {"sim_ca", {"--sim-ca", PathSetter(c.sim_ca, base)}},
      {"sim_tcb_svn", {"--sim-tcb-svn", Setter(c.sim_tcb_svn)}},
      {"log_level", {"--log-level", Setter(c.log_level)}},
      {"metrics_json", {"--metrics-json", PathSetter(c.metrics_json, base)}},
      {"max_message_bytes", {"--max-message-bytes", Setter(c.max_message_bytes)}},
      {"chunk_bytes", {"--chunk-bytes", Setter(c.chunk_bytes)}},
      {"max_model_bytes", {"--max-model-bytes", Setter(c.max_model_bytes)}},
      {"max_in_flight", {"--max-in-flight", Setter(c.max_in_flight)}},
      {"ingest_threads", {"--ingest-threads", Setter(c.ingest_threads)}},
      {"stream_timeout_ms", {"--stream-timeout-ms", Setter(c.stream_timeout_ms)}},
      {"heartbeat_ms", {"--heartbeat-ms", Setter(c.heartbeat_ms)}},
  };
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!std::filesystem::exists(path)) {
      return Status::NotFound("file.not_found", "config file " + path + " does not exist");
    }
    return Status::InvalidArgument(
        "config.parse",
        path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  for (const auto& [k, node] : table) {
    const std::string key(k.str());
    auto it = keys.find(key);
    if (it == keys.end()) {
      return Status::InvalidArgument("config.unknown_key", path + ": unknown key '" + key + "'");
    }
    if (flag_given(it->second.flag)) continue;  // the flag overrides the file
    if (!it->second.set(node)) {
      return Status::InvalidArgument("config.bad_value",
                                     path + ": '" + key + "' has the wrong type or sign");
    }
  }
  return Status::Ok();
}

}  // namespace fedtee::aggregator
