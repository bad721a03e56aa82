// A participant site's configuration: site.toml, with every key also settable by a flag
// of fedtee-participant (flags override the file). participant/README.md shows a file.
//
//   participant_id = "hospital-1"               # required; the id the coordinator enrolled
//   coordinator = "tcp://127.0.0.1:7000"        # required; coordinator control endpoint
//   coordinator_key = "<40 Z85 chars>"          # the coordinator's CURVE public key, or
//   coordinator_key_file = "coordinator.pub"    #   a file holding it (exactly one of the two)
//   identity = "hospital-1.secret"              # required; this site's CURVE secret file
//   policy = "policy.toml"                      # required; this site's attestation policy
//   state_file = "..."                          # default: <identity>.state.json
//   chunk_bytes = 1048576                       # plaintext bytes per sealed update chunk
//   heartbeat_ms = 1000                         # heartbeat period while idle
//   attest_timeout_ms = 10000                   # wait for the aggregator's AttestResponse
//   update_status_timeout_ms = 60000            # wait for the aggregator's UpdateStatus
//   log_level = "info"
//   metrics_json = ""                           # JSON metrics lines; "" = off
//   max_rounds = 0                              # exit after N rounds; 0 = until Shutdown
//   [data]
//   csv = "site-1.csv"                          # required; local examples
//   format = "csv"                              # "csv" (header row) or "sklearn"
//   label = "label"                             # label column name (format "csv")
//   scaler = "scaler.json"                      # optional feature mean/std (fedtee data split)
//   eval_fraction = 0.2                         # local held-out share, in [0, 0.9]
//   seed = 1                                    # local split seed
//
// Keys inside [data] are addressed as "data.csv" etc. Flags are the keys with '.' and '_'
// turned into '-': --participant-id, --coordinator-key-file, --data-eval-fraction, ...
// Relative paths in the file are resolved against the file's directory; relative paths
// given as flags are taken as they are (relative to the working directory).
//
// Errors are INVALID_ARGUMENT with a reason naming the kind and a message naming the key:
//   config.invalid_file   not TOML (the message has the line and column)
//   config.unknown_key    a key this version does not know (a typo never passes silently)
//   config.bad_value      wrong type or out of range
//   config.missing_key    a required key is absent after file and flags are combined
//   config.conflict       both coordinator_key and coordinator_key_file given
// File errors pass through (NOT_FOUND "file.not_found", ...).
//
// Thread-safety: free functions without shared state; SiteConfig is a value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fedtee::participant {

struct DataConfig {
  // Local examples (CSV). Required.
  std::filesystem::path csv;
  // "csv": a header row naming the columns, the label in column `label`; "sklearn": one of
  // scikit-learn's bundled CSVs (breast_cancer.csv), label last.
  std::string format = "csv";
  // Name of the label column for format "csv".
  std::string label = "label";
  // Optional scaler JSON (feature mean/std, written by `fedtee data split`). Empty = none.
  std::filesystem::path scaler;
  // Share of the local examples held out to evaluate each round's global model.
  double eval_fraction = 0.2;
  // Seed of the local train/eval split.
  uint64_t seed = 1;
};

struct SiteConfig {
  std::string participant_id;
  std::string coordinator;                     // "tcp://host:port"
  std::string coordinator_key;                 // Z85 public key (inline)
  std::filesystem::path coordinator_key_file;  // or read from this file
  std::filesystem::path identity;              // CURVE secret file (`fedtee identity new`)
  std::filesystem::path policy;                // attestation policy TOML
  std::filesystem::path state_file;  // rollback-protection state; default next to identity
  uint64_t chunk_bytes = uint64_t{1} << 20;
  uint64_t heartbeat_ms = 1000;
  uint64_t attest_timeout_ms = 10000;
  uint64_t update_status_timeout_ms = 60000;
  std::string log_level = "info";
  std::string metrics_json;
  uint64_t max_rounds = 0;
  DataConfig data;
};

// One configurable key, for registering flags.
struct SiteConfigKey {
  std::string key;   // "participant_id", "data.csv", ...
  std::string flag;  // "--participant-id", "--data-csv", ...
  std::string help;
};
// Every key SetSiteConfigValue accepts, in file order.
const std::vector<SiteConfigKey>& SiteConfigKeys();

// Sets `key` from its text form (numbers in decimal). Paths are taken as given.
// INVALID_ARGUMENT config.unknown_key / config.bad_value; `config` unchanged on error.
Status SetSiteConfigValue(SiteConfig& config, std::string_view key, const std::string& value);

// Parses site.toml text into `config` (keys absent from the text keep their values);
// `base_dir` resolves relative paths. Errors as above; on error `config` may be partly set.
Status ParseSiteConfigToml(std::string_view toml, const std::filesystem::path& base_dir,
                           SiteConfig& config);
// Reads and parses a file, errors wrapped with its path.
Status LoadSiteConfigFile(const std::filesystem::path& path, SiteConfig& config);

// Checks that required keys are present and values consistent, and fills defaults that
// depend on other keys (state_file). Call after file and flags were applied.
// INVALID_ARGUMENT config.missing_key / config.bad_value / config.conflict.
Status FinalizeSiteConfig(SiteConfig& config);

// The coordinator's Z85 public key: coordinator_key, or the key read from
// coordinator_key_file (transport::LoadPublicKey errors, wrapped).
Result<std::string> ResolveCoordinatorKey(const SiteConfig& config);

}  // namespace fedtee::participant
