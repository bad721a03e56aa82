// The coordinator's durable state in checkpoint_dir (docs/protocol.md, "Round log and
// commit"):
//   models/round-<r>.safetensors  the global model after round r (round 0: the initial one)
//   model.safetensors             the latest committed model (a copy, for users)
//   round_log.jsonl               the hash-chained round log
//   state.json                    {federation_id, last_committed_round, log_head, model_sha256}
// Every file is written atomically; state.json is written last and is the commit point: on
// load, log entries and model files past it are ignored (and the log is trimmed), so a crash
// at any moment leaves the last committed round intact. Not thread-safe (one coordinator).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "federation/round_log.h"

namespace fedtee::coordinator {

struct CommittedState {
  std::string federation_id;
  uint64_t last_committed_round = 0;
  std::string log_head = federation::kGenesisHead;
  std::string model_sha256;  // hex, of models/round-<last_committed_round>.safetensors
};

class CheckpointStore {
 public:
  explicit CheckpointStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Creates the folders. IO_ERROR on failure.
  Status Init() const;

  // The committed state, or nullopt for a fresh directory. Verifies the round log up to the
  // committed round (CORRUPTION "log.broken_chain" / "checkpoint.mismatch") and trims entries
  // past it. The model bytes of the committed round are returned through `model_bytes` after
  // their digest is checked against state.json.
  Result<std::optional<CommittedState>> Load(Bytes* model_bytes) const;

  // Writes round 0: the initial model and a state with no rounds.
  Status InitFresh(const CommittedState& state, ByteSpan model_bytes) const;

  // Commits one round: model files, log entry, then state.json (the commit point).
  Status Commit(const CommittedState& state, ByteSpan model_bytes,
                const federation::RoundLogEntry& entry) const;

  std::filesystem::path model_path() const { return dir_ / "model.safetensors"; }
  std::filesystem::path round_model_path(uint64_t round) const;
  std::filesystem::path log_path() const { return dir_ / "round_log.jsonl"; }
  std::filesystem::path state_path() const { return dir_ / "state.json"; }

 private:
  std::filesystem::path dir_;
};

}  // namespace fedtee::coordinator
