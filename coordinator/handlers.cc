// Coordinator: handling of incoming messages from participants and the aggregator.
#include <spdlog/spdlog.h>

#include "coordinator/coordinator.h"
#include "crypto/random.h"
#include "federation/envelope.h"

namespace fedtee::coordinator {

using federation::Encode;
using federation::NowMs;

namespace {
std::string Short(const std::string& hex) { return hex.substr(0, 16); }
}  // namespace

void Coordinator::HandleParticipant(transport::Incoming& in) {
  if (in.frames.size() != 1) {
    ReplyError(*participants_, in.routing_id,
               Status::InvalidArgument("protocol.malformed", "expected exactly one frame"));
    return;
  }
  auto env = federation::Decode(in.frames[0]);
  if (!env.ok()) {
    spdlog::warn("participant {}: refused a message: {}", in.peer_id, env.status().ToString());
    ReplyError(*participants_, in.routing_id, env.status());
    return;
  }
  alive_->Seen(in.peer_id);
  if (env->body_case() != v1::Envelope::kJoin &&
      (members_.count(in.peer_id) == 0 || !members_[in.peer_id].joined ||
       members_[in.peer_id].routing_id != in.routing_id)) {
    // E.g. after a coordinator restart: tell the participant to join again.
    ReplyError(*participants_, in.routing_id,
               Status::FailedPrecondition("participant.not_joined",
                                          "send Join first (the coordinator may have restarted)"));
    return;
  }
  switch (env->body_case()) {
    case v1::Envelope::kJoin: {
      if (env->join().participant_id() != in.peer_id) {
        spdlog::warn("a connection authenticated as {} claimed to be {}", in.peer_id,
                     env->join().participant_id());
        ReplyError(*participants_, in.routing_id,
                   Status::PermissionDenied("auth.id_mismatch",
                                            "participant id '" + env->join().participant_id() +
                                                "' does not match the authenticated key"));
        return;
      }
      Member& m = members_[in.peer_id];
      bool rejoin = m.joined;
      m.routing_id = in.routing_id;
      m.joined = true;
      spdlog::info("participant {} {} ({} of {} enrolled connected)", in.peer_id,
                   rejoin ? "reconnected" : "joined", AliveMembers().size(), roster_.size());
      v1::Envelope ack;
      ack.mutable_join_ack()->set_federation_id(config_.federation_id);
      ack.mutable_join_ack()->set_last_committed_round(state_.last_committed_round);
      ack.mutable_join_ack()->set_log_head(state_.log_head);
      SendToParticipant(in.peer_id, Encode(ack));
      return;
    }
    case v1::Envelope::kHeartbeat:
      return;
    case v1::Envelope::kTaskReport: {
      const auto& r = env->task_report();
      auto slot = run_.slots.find(in.peer_id);
      if (phase_ != Phase::kCollecting || r.round() != run_.round || slot == run_.slots.end()) {
        ReplyError(*participants_, in.routing_id,
                   Status::FailedPrecondition("round.wrong_round",
                                              "no open task for round " +
                                                  std::to_string(r.round())));
        return;
      }
      slot->second.reported = true;
      slot->second.report = r;
      if (!r.refusal().empty()) {
        slot->second.refused = true;
        spdlog::warn("round {}: participant {} refused to take part: {}", run_.round, in.peer_id,
                     r.refusal());
      } else {
        spdlog::info("round {}: participant {} reported: submitted={} eval accuracy {:.4f} loss "
                     "{:.4f} on {} local examples; verified aggregator {} measurement {}",
                     run_.round, in.peer_id, r.submitted(), r.eval_accuracy(), r.eval_loss(),
                     r.eval_examples(), r.verified_platform(),
                     r.verified_measurement().substr(0, 16));
      }
      MaybeFinalize();
      return;
    }
    default:
      ReplyError(*participants_, in.routing_id,
                 Status::InvalidArgument("protocol.unexpected",
                                         federation::BodyName(*env) +
                                             " is not a message a participant sends"));
  }
}

void Coordinator::HandleAggregator(transport::Incoming& in) {
  if (in.frames.size() != 1) return;
  auto env = federation::Decode(in.frames[0]);
  if (!env.ok()) {
    ReplyError(*aggregator_, in.routing_id, env.status());
    return;
  }
  bool current = aggregator_link_ && aggregator_link_->routing_id == in.routing_id;
  if (!current) {
    // A new aggregator. Adopt it only when there is none alive.
    bool alive = aggregator_link_ &&
                 NowMs() - aggregator_link_->last_seen_ms <
                     uint64_t{config_.heartbeat_timeout_seconds} * 1000;
    if (alive) {
      ReplyError(*aggregator_, in.routing_id,
                 Status::FailedPrecondition("aggregator.busy",
                                            "another aggregator serves this federation"));
      return;
    }
    if (aggregator_link_) {
      spdlog::warn("replacing the silent aggregator with a new connection");
      if (phase_ == Phase::kCollecting || phase_ == Phase::kFinalizing) {
        FailRound("the aggregator went away mid-round");
      }
    }
    aggregator_link_.emplace();
    aggregator_link_->routing_id = in.routing_id;
    aggregator_link_->peer_key = in.peer_key;
    aggregator_link_->challenge = crypto::RandomBytes(32);
    v1::Envelope req;
    req.mutable_attest_request()->set_challenge(ToString(aggregator_link_->challenge));
    spdlog::info("aggregator connected (key {}); sending a fresh attestation challenge",
                 in.peer_key);
    (void)SendToAggregator(Encode(req));
  }
  aggregator_link_->last_seen_ms = NowMs();
  switch (env->body_case()) {
    case v1::Envelope::kHeartbeat:
      return;
    case v1::Envelope::kAttestResponse:
      OnAttestResponse(env->attest_response());
      return;
    case v1::Envelope::kUpdateStatus: {
      const auto& u = env->update_status();
      auto slot = run_.slots.find(u.participant_id());
      if (u.round() != run_.round || slot == run_.slots.end()) return;
      slot->second.update_known = true;
      slot->second.accepted = u.accepted();
      slot->second.reason = u.reason();
      if (u.accepted()) {
        spdlog::info("round {}: aggregator accepted the update of {} (digest {})", run_.round,
                     u.participant_id(), Short(HexEncode(AsBytes(u.update_digest()))));
      } else {
        spdlog::warn("round {}: aggregator rejected the update of {}: {}", run_.round,
                     u.participant_id(), u.reason());
      }
      if (metrics_) {
        metrics_->Write({{"event", "update_status"}, {"round", run_.round},
                         {"participant", u.participant_id()}, {"accepted", u.accepted()},
                         {"reason", u.reason()}});
      }
      MaybeFinalize();
      return;
    }
    case v1::Envelope::kRoundReady:
      if (phase_ == Phase::kOpening && env->round_ready().round() == run_.round) SendTasks();
      return;
    case v1::Envelope::kRoundResult:
      OnRoundResult(env->round_result());
      return;
    case v1::Envelope::kPayloadChunk:
      OnAggregateChunk(env->payload_chunk());
      return;
    case v1::Envelope::kError:
      spdlog::error("aggregator: {}: {}", env->error().code(), env->error().message());
      if (phase_ == Phase::kFinalizing || phase_ == Phase::kCollecting ||
          phase_ == Phase::kOpening) {
        FailRound("aggregator refused: " + env->error().code() + ": " + env->error().message());
      }
      return;
    default:
      ReplyError(*aggregator_, in.routing_id,
                 Status::InvalidArgument("protocol.unexpected",
                                         federation::BodyName(*env) +
                                             " is not a message an aggregator sends"));
  }
}

void Coordinator::OnAttestResponse(const v1::AttestResponse& r) {
  AggregatorLink& link = *aggregator_link_;
  if (link.challenge.empty()) {
    spdlog::warn("unsolicited attestation response ignored");
    return;
  }
  Bytes challenge = std::move(link.challenge);
  link.challenge.clear();  // one answer per challenge: a replayed response finds none
  auto attested = federation::CheckAttestResponse(r, challenge, policy_, verify_options_,
                                                  link.peer_key, SystemClock::Get());
  if (!attested.ok()) {
    spdlog::error("aggregator REFUSED, no round will start with it: {}",
                  attested.status().ToString());
    if (metrics_) {
      metrics_->Write({{"event", "aggregator_refused"}, {"reason", attested.status().reason()},
                       {"message", attested.status().message()}});
    }
    return;
  }
  link.attested = std::move(attested).value();
  const auto& a = *link.attested;
  spdlog::info("aggregator attested: platform {}{}, measurement {}, data endpoint {}",
               a.platform, a.claims.hardware_backed ? "" : " (SIMULATED: no hardware protection)",
               a.measurement_hex, a.data_endpoint);
  if (metrics_) {
    metrics_->Write({{"event", "aggregator_attested"}, {"platform", a.platform},
                     {"measurement", a.measurement_hex}});
  }
}

}  // namespace fedtee::coordinator
