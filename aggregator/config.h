// fedtee-aggregator's settings: the values of its flags and of the optional TOML config file
// (`--config aggregator.toml`). Every flag has a snake_case key of the same name
// (--coordinator-key -> coordinator_key); a flag given on the command line overrides the file.
//
//   coordinator = "tcp://coordinator.example:7001"
//   coordinator_key = "keys/coordinator.pub"   # or the 40-character Z85 key itself
//   listen = "tcp://0.0.0.0:7100"
//   advertise = "tcp://aggregator.example:7100"
//   attestation = "auto"                       # or "sim" (NO hardware protection)
//   sim_ca = "sim-ca"
//   metrics_json = "aggregator-metrics.jsonl"
//
// Relative paths in the file (sim_ca, metrics_json, a coordinator_key file) are taken from
// the file's directory. Thread-safety: plain values and a pure function.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"

namespace fedtee::aggregator {

struct Config {
  std::string config_file;      // --config: the TOML file read ("" = none)
  std::string coordinator;      // the coordinator's aggregator endpoint (required)
  std::string coordinator_key;  // Z85 key or key file of the coordinator (required, pinned)
  std::string listen = "tcp://127.0.0.1:0";  // data-plane bind endpoint
  std::string advertise;                     // data endpoint told to others ("" = bound)
  std::string attestation = "auto";          // "auto" (configfs-tsm TEE) or "sim"
  std::string sim_ca;                        // simulated CA directory, for "sim"
  uint32_t sim_tcb_svn = 1;                  // SVN the simulated platform reports
  std::string log_level = "info";
  std::string metrics_json;  // JSON metrics lines file ("" = none)
  uint64_t max_message_bytes = uint64_t{16} << 20;
  uint64_t chunk_bytes = uint64_t{1} << 20;  // aggregate payload chunk size
  uint64_t max_model_bytes = uint64_t{2} << 30;
  uint64_t max_in_flight = 0;  // 0 = the round's participant count
  uint64_t ingest_threads = 0;  // update-opening worker threads (0 = cores, at most 8)
  uint64_t stream_timeout_ms = 60000;
  uint64_t heartbeat_ms = 1000;
};

// Reads the TOML file at `path` into `config`, skipping every key whose flag ("--listen")
// `flag_given` reports as set on the command line. Errors: NOT_FOUND "file.not_found";
// INVALID_ARGUMENT "config.parse" (with the line), "config.unknown_key" (typos never pass
// silently), "config.bad_value" (wrong type, or a negative number). On error `config` may
// hold some of the file's values.
Status LoadConfigFile(const std::string& path,
                      const std::function<bool(const std::string& flag)>& flag_given,
                      Config& config);

}  // namespace fedtee::aggregator
