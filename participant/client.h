// The participant's loop with the coordinator (docs/protocol.md, "A round"):
//
//   Join -> JoinAck (rollback check) -> heartbeats while idle ->
//   RoundTask + PayloadChunk "model/<r>" (size and SHA-256 checked) ->
//     evaluate the global model on the local held-out split ->
//     AggregatorSession: connect (aggregator key pinned), own fresh challenge,
//       CheckAttestResponse against this site's own policy ->
//       refused: TaskReport{refusal}, nothing sent to the aggregator, nothing trained
//       accepted: TrainLocal -> delta -> SealUpdate -> Submit -> UpdateStatus ->
//                 TaskReport{submitted, digest, eval metrics, train loss, verified
//                 measurement and platform}
//   RoundOutcome -> VerifyReceipt under that round's attested receipt key,
//     CheckReceiptIncludes(own id, own digest), log head recomputed, RollbackGuard::Record
//   Shutdown -> return OK.
//
// Run returns OK on Shutdown, after max_rounds RoundOutcomes, or when SIGINT/SIGTERM was
// received (federation::StopRequested). Fatal errors end it with a Status:
//   PERMISSION_DENIED coordinator.rollback / coordinator.fork  (rollback_guard.h)
//   PERMISSION_DENIED transport.auth_denied  the coordinator does not admit this site's key
//   UNAUTHENTICATED transport.handshake_failed  the coordinator does not hold the pinned key
//   OUT_OF_RANGE protocol.version, PERMISSION_DENIED auth.id_mismatch  (coordinator Error)
//   PERMISSION_DENIED "receipt.check_failed"  returned at the end of an otherwise clean run
//     when any receipt did not verify or did not list this site's accepted update
// Per-round failures (aggregator unreachable, attestation refused, training diverged) are
// reported to the coordinator in a TaskReport and the loop goes on.
//
// Thread-safety: not thread-safe; Run is called once, from one thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "attestation/policy.h"
#include "attestation/verify.h"
#include "base/clock.h"
#include "base/status.h"
#include "federation/payload_stream.h"
#include "federation/runtime.h"
#include "participant/aggregator_session.h"
#include "participant/local_data.h"
#include "participant/rollback_guard.h"
#include "participant/site_config.h"
#include "proto/federation.pb.h"
#include "transport/curve_identity.h"
#include "transport/socket.h"

namespace fedtee::participant {

// Largest global model accepted from the coordinator.
inline constexpr uint64_t kMaxModelBytes = uint64_t{2} << 30;

// Everything the loop needs, prepared by participant_main.cc. The client owns it.
struct ClientSetup {
  SiteConfig config;                 // finalized (FinalizeSiteConfig)
  std::string coordinator_key;       // Z85, pinned
  transport::CurveKeyPair identity;  // this site's CURVE key pair
  attestation::Policy policy;        // this site's own attestation policy
  attestation::VerifyOptions verify_options;
  LocalData data;                                // local train / eval split
  std::unique_ptr<RollbackGuard> guard;          // highest receipt seen (persisted)
  federation::MetricsWriter* metrics = nullptr;  // borrowed; may be null
  const Clock* clock = &SystemClock::Get();      // evidence freshness
};

class ParticipantClient {
 public:
  explicit ParticipantClient(ClientSetup setup);
  ~ParticipantClient();
  ParticipantClient(const ParticipantClient&) = delete;
  ParticipantClient& operator=(const ParticipantClient&) = delete;

  // Connects to the coordinator and serves rounds until done (see above).
  Status Run();

  // Rounds whose outcome arrived (and were checked) so far.
  uint64_t rounds_completed() const { return rounds_completed_; }

 private:
  enum class Next { kContinue, kDone };

  // What this site remembers of a round it took part in, to check the receipt.
  struct RoundRecord {
    Bytes receipt_public_key;  // attested in that round
    Bytes update_digest;       // empty when nothing was accepted
    bool submitted = false;
  };

  Status ConnectCoordinator();
  Status SendToCoordinator(v1::Envelope env);
  Status SendJoin();
  // Sends a heartbeat if one is due; returns false if a stop was requested.
  bool Tick();
  Result<Next> Handle(const v1::Envelope& env);
  Status OnRoundTask(const v1::RoundTask& task);
  Status OnModelChunk(const v1::PayloadChunk& chunk);
  // Runs the task once its model arrived; always ends with a TaskReport (or a stop).
  Status RunTask(const v1::RoundTask& task, Bytes model_bytes);
  Status Refuse(const v1::RoundTask& task, v1::TaskReport report, const std::string& why);
  Result<Next> OnRoundOutcome(const v1::RoundOutcome& outcome);
  void Metric(nlohmann::json event);

  ClientSetup s_;
  zmq::context_t context_;
  std::optional<transport::ClientSocket> coordinator_;
  std::chrono::steady_clock::time_point last_sent_;
  std::chrono::steady_clock::time_point join_sent_;
  bool joined_ = false;
  std::string federation_id_;
  std::optional<v1::RoundTask> task_;
  std::optional<federation::PayloadAssembler> model_stream_;
  std::map<uint64_t, RoundRecord> rounds_;
  uint64_t rounds_completed_ = 0;
  uint64_t receipt_failures_ = 0;
};

}  // namespace fedtee::participant
