// The coordinator: control plane of a federation. Attests the aggregator with a fresh
// challenge (verify + validate against the operator's policy), selects participants, hands
// out rounds, collects the aggregator's signed result, checks the receipt against the
// attested key and commits the round atomically (checkpoint.h). It never receives a model
// update: updates go from participants straight to the aggregator.
//
// One thread runs the whole state machine (Run); nothing here is thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "attestation/policy.h"
#include "attestation/verify.h"
#include "coordinator/checkpoint.h"
#include "coordinator/config.h"
#include "federation/attested_aggregator.h"
#include "federation/payload_stream.h"
#include "federation/runtime.h"
#include "proto/federation.pb.h"
#include "transport/curve_identity.h"
#include "transport/peer_tracker.h"
#include "transport/roster.h"
#include "transport/socket.h"
#include "transport/zap_authenticator.h"

namespace fedtee::coordinator {

class Coordinator {
 public:
  // Loads identity, roster, policy and the checkpoint directory (resuming after the last
  // committed round when there is one), binds both sockets. Errors name the file or
  // endpoint at fault. `metrics` may be null; it must outlive the coordinator.
  static Result<std::unique_ptr<Coordinator>> Create(const FederationConfig& config,
                                                     federation::MetricsWriter* metrics);
  ~Coordinator();

  // Runs rounds until `config.rounds` are committed (OK), a stop signal (CANCELLED-like:
  // FAILED_PRECONDITION "coordinator.stopped"), or a failure that retries did not cure.
  // Committed rounds are never lost: a later Create resumes after them. Shutdown goes to the
  // participants and the aggregator only when the federation is over (all rounds committed,
  // or failed); after a stop signal they stay up and re-join a restarted coordinator.
  Status Run();

  const std::string& participants_endpoint() const { return participants_->bound_endpoint(); }
  const std::string& aggregator_endpoint() const { return aggregator_->bound_endpoint(); }
  uint64_t last_committed_round() const { return state_.last_committed_round; }

 private:
  enum class Phase { kWaiting, kOpening, kCollecting, kFinalizing, kDone };

  struct Member {                 // an enrolled participant that joined
    Bytes routing_id;
    bool joined = false;
    uint64_t last_seen_round = 0;
  };
  struct AggregatorLink {
    Bytes routing_id;
    std::string peer_key;          // Z85 CURVE key of the control connection
    Bytes challenge;               // outstanding AttestRequest
    std::optional<federation::AttestedAggregator> attested;
    uint64_t last_seen_ms = 0;
  };
  struct Slot {                    // one selected participant in the current round
    bool reported = false;         // TaskReport arrived
    bool refused = false;
    bool update_known = false;     // the aggregator said accepted or rejected
    bool accepted = false;
    std::string reason;
    v1::TaskReport report;
  };
  struct RoundRun {
    uint64_t round = 0;
    uint32_t attempt = 0;
    std::map<std::string, Slot> slots;  // by participant id
    uint64_t deadline_ms = 0;
    uint64_t open_deadline_ms = 0;   // for the aggregator's RoundReady
    uint64_t finalize_deadline_ms = 0;
    std::optional<v1::RoundResult> result;
    std::optional<federation::PayloadAssembler> aggregate;
    uint64_t started_ms = 0;
  };

  Coordinator() = default;

  void Poll(int timeout_ms);
  void HandleParticipant(transport::Incoming& in);
  void HandleAggregator(transport::Incoming& in);
  void OnAttestResponse(const v1::AttestResponse& r);
  void OnRoundResult(const v1::RoundResult& r);
  void OnAggregateChunk(const v1::PayloadChunk& c);
  void Tick();
  void MaybeStartRound();
  Status StartRound();
  void SendTasks();
  void MaybeFinalize();
  void FailRound(const std::string& why);
  Status CommitRound(Bytes model_bytes);
  void SendToParticipant(const std::string& id, Bytes frame);
  Status SendToAggregator(Bytes frame);
  void ReplyError(transport::ServerSocket& sock, const Bytes& routing_id, const Status& s);
  std::vector<std::string> AliveMembers() const;
  uint64_t TrainSeed(const std::string& participant_id) const;
  void Shutdown(const std::string& reason);
  nlohmann::json RoundMetrics() const;

  FederationConfig config_;
  federation::MetricsWriter* metrics_ = nullptr;
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<transport::ZapAuthenticator> zap_;
  std::optional<transport::ServerSocket> participants_;
  std::optional<transport::ServerSocket> aggregator_;
  transport::Roster roster_;
  attestation::Policy policy_;
  attestation::VerifyOptions verify_options_;
  std::optional<CheckpointStore> store_;
  CommittedState state_;
  Bytes model_bytes_;              // the committed global model (safetensors)
  std::map<std::string, Member> members_;
  std::unique_ptr<transport::PeerTracker> alive_;
  std::optional<AggregatorLink> aggregator_link_;
  Phase phase_ = Phase::kWaiting;
  RoundRun run_;
  uint32_t failures_in_a_row_ = 0;
  bool rounds_started_ = false;    // a round was opened since this process started
  uint64_t waiting_since_ms_ = 0;
  Status fatal_;
};

}  // namespace fedtee::coordinator
