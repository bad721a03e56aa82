// federation.toml: what the coordinator's operator decides for a federation. Every field
// has a default that is safe; relative paths are resolved against the file's folder.
// docs/operations.md shows a complete file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace fedtee::coordinator {

struct ModelConfig {
  std::string kind = "logistic_regression";  // "logistic_regression" or "mlp"
  uint32_t num_features = 0;                 // required
  uint32_t num_classes = 2;
  std::vector<uint32_t> hidden;              // hidden layer widths for "mlp"
  uint64_t init_seed = 1;                    // seed of the initial global model
};

struct TrainSettings {
  uint32_t epochs = 1;
  uint32_t batch_size = 32;
  float learning_rate = 0.1f;
  float l2 = 0.0f;
  float fedprox_mu = 0.0f;
};

struct FederationConfig {
  std::string federation_id;                 // required, [A-Za-z0-9._-]{1,64}
  std::string listen = "tcp://127.0.0.1:7100";             // participants connect here
  std::string aggregator_listen = "tcp://127.0.0.1:7101";  // the aggregator connects here
  std::filesystem::path identity;            // the coordinator's CURVE secret file (required)
  std::filesystem::path roster;              // enrolled participants (required)
  std::filesystem::path policy;              // attestation policy for the aggregator (required)
  std::filesystem::path checkpoint_dir = "state";  // models, round log, state.json
  uint32_t rounds = 10;                      // rounds to run in total
  uint32_t participants_per_round = 0;       // 0 = every enrolled participant
  uint32_t min_participants = 2;             // fewer accepted updates: the round fails
  uint32_t round_timeout_seconds = 120;      // deadline for updates, per round
  uint32_t finalize_timeout_seconds = 60;    // for the aggregator's result
  uint32_t start_timeout_seconds = 300;      // waiting for the aggregator and participants
  uint32_t heartbeat_timeout_seconds = 10;   // a silent peer is gone after this
  uint32_t max_round_retries = 3;            // a failed round is retried this often, then exit
  uint64_t max_message_bytes = 16ull << 20;  // largest frame accepted
  uint64_t chunk_bytes = 1ull << 20;         // model payload chunk size
  uint64_t max_examples_per_update = 1ull << 40;
  uint64_t seed = 42;                        // participant selection and training seeds
  std::string strategy = "fedavg";
  std::map<std::string, double> strategy_params;
  ModelConfig model;
  TrainSettings train;
};

// Parses TOML text; `base_dir` resolves relative paths. INVALID_ARGUMENT
// "config.invalid" naming the key for unknown keys, wrong types and bad values.
Result<FederationConfig> ParseFederationConfig(std::string_view toml,
                                               const std::filesystem::path& base_dir);
Result<FederationConfig> LoadFederationConfig(const std::filesystem::path& path);

// Checks cross-field rules (required fields, min <= per round, ...). Called by the
// loaders and again after command-line overrides.
Status ValidateFederationConfig(const FederationConfig& c);

}  // namespace fedtee::coordinator
