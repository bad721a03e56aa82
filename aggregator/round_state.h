// The aggregator's view of the current round: what the coordinator opened (participant set,
// min_participants, strategy, the global model's digest), where the round stands, what
// happened to each participant's update, and the rollback checks that keep a (possibly
// malicious) host or coordinator from replaying an old round to the enclave.
//
// Rollback rules (checked by Open, before anything changes; Error "round.rollback"):
//   - round numbers never decrease over the life of the process, and a round may be opened
//     again (a coordinator's retry) only while its aggregate has not been released;
//   - last_committed_round never decreases, and is below the opened round;
//   - with the same last_committed_round as before, log_head must be the same as before
//     (a changed head for the same committed round is a forked log).
// The federation id is fixed by the first RoundOpen ("round.wrong_federation" afterwards).
// No state is kept across restarts: a restarted aggregator has new keys and is attested again.
//
// Pure (no I/O). Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "proto/federation.pb.h"

namespace fedtee::aggregator {

// Upper bound applied when RoundOpen.max_examples_per_update is 0 (not set): keeps the
// FedAvg weights exact in double.
inline constexpr uint64_t kDefaultMaxExamplesPerUpdate = uint64_t{1} << 40;

enum class RoundPhase {
  kNone,           // no round opened yet (or the last one was finalized)
  kAwaitingModel,  // RoundOpen accepted, model/<r> payload still arriving
  kCollecting,     // model received and checked: updates are accepted
  kFailed,         // the model payload failed its checks; only a new RoundOpen helps
  kFinalized,      // the aggregate was released; a repeated Finalize gets the same result
};

// What happened to one participant's update this round.
enum class UpdatePhase { kNone, kInFlight, kAccepted, kRejected };

struct ParticipantRecord {
  std::string id;
  std::string curve_key;  // Z85
  UpdatePhase phase = UpdatePhase::kNone;
  Bytes digest;  // SHA-256 of enc || ciphertexts, once accepted (or when rejected late)
  uint64_t num_examples = 0;
  std::string reason;  // rejection reason
};

// The parts of RoundOpen the service works with, after validation.
struct RoundConfig {
  std::string federation_id;
  uint64_t round = 0;
  uint32_t min_participants = 0;
  std::string strategy;  // "fedavg"
  std::map<std::string, double> strategy_params;
  uint64_t model_bytes = 0;
  Bytes model_sha256;  // 32 bytes
  uint64_t last_committed_round = 0;
  std::string log_head;
  uint64_t max_examples_per_update = 0;  // never 0 after Open (kDefault... if unset)
};

class RoundState {
 public:
  RoundState() = default;

  // Validates `open` and, if it passes, makes it the current round (participants all in
  // UpdatePhase::kNone, phase kAwaitingModel). On error nothing changes. Errors:
  //   PERMISSION_DENIED "round.rollback"          (see the rules above)
  //   PERMISSION_DENIED "round.wrong_federation"  another federation id than before
  //   INVALID_ARGUMENT  "round.invalid"           round 0, empty federation id, model digest
  //                                               not 32 bytes, model_bytes 0
  //   INVALID_ARGUMENT  "round.bad_participants"  empty set, bad id or key, duplicate id or key
  //   INVALID_ARGUMENT  "round.bad_min_participants"  0 or more than the participant count
  Status Open(const v1::RoundOpen& open);

  // Model received and checked: updates may come in.
  void MarkCollecting() { phase_ = RoundPhase::kCollecting; }
  void MarkFailed() { phase_ = RoundPhase::kFailed; }
  void MarkFinalized() {
    phase_ = RoundPhase::kFinalized;
    if (config_) released_round_ = config_->round;
  }

  RoundPhase phase() const { return phase_; }
  bool has_round() const { return config_.has_value(); }
  // The current round; valid when has_round().
  const RoundConfig& config() const { return *config_; }

  // Checks that an UpdateStart may begin a stream for `participant_id` (already known to
  // equal the authenticated peer): "update.wrong_federation" / "round.wrong_round" /
  // "round.not_ready" (no model yet, or finalized or failed) / "auth.not_in_round" /
  // "update.duplicate" (accepted already or a stream in flight). A participant whose
  // earlier stream was rejected may send again.
  Status CheckUpdateStart(const std::string& federation_id, uint64_t round,
                          const std::string& participant_id) const;

  // Record lookup by id (nullptr when not in the round's set).
  const ParticipantRecord* Find(const std::string& participant_id) const;
  // The participant's record, or nullptr when the peer is not in this round's set or its
  // authenticated key is not the one RoundOpen named for that id.
  const ParticipantRecord* FindAuthenticated(const std::string& peer_id,
                                             const std::string& peer_key) const;

  void MarkInFlight(const std::string& participant_id);
  void MarkAccepted(const std::string& participant_id, Bytes digest, uint64_t num_examples);
  void MarkRejected(const std::string& participant_id, const std::string& reason);

  // Accepted updates, sorted by id (the receipt's entries).
  std::vector<const ParticipantRecord*> Accepted() const;
  size_t accepted_count() const;
  size_t rejected_count() const;

  // Z85 key -> participant id of the current round, for ZapAuthenticator::SetAllowed.
  std::map<std::string, std::string> Allowlist() const;

 private:
  ParticipantRecord* MutableFind(const std::string& participant_id);

  std::optional<RoundConfig> config_;
  std::map<std::string, ParticipantRecord> participants_;  // by id
  RoundPhase phase_ = RoundPhase::kNone;
  // Highest values seen over the process life (rollback protection).
  std::optional<uint64_t> last_round_;
  std::optional<uint64_t> released_round_;  // the last round whose aggregate was released
  std::optional<uint64_t> last_committed_round_;
  std::string last_log_head_;
  std::string federation_id_;
};

}  // namespace fedtee::aggregator
