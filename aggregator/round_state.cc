#include "aggregator/round_state.h"

#include <algorithm>
#include <set>

#include "transport/curve_identity.h"
#include "transport/roster.h"

namespace fedtee::aggregator {

Status RoundState::Open(const v1::RoundOpen& open) {
  // Shape of the message first.
  if (open.round() == 0) {
    return Status::InvalidArgument("round.invalid", "round numbers start at 1");
  }
  if (open.federation_id().empty()) {
    return Status::InvalidArgument("round.invalid", "empty federation id");
  }
  if (open.model_sha256().size() != 32) {
    return Status::InvalidArgument("round.invalid", "model_sha256 must be 32 bytes");
  }
  if (open.model_bytes() == 0) {
    return Status::InvalidArgument("round.invalid", "model_bytes is 0");
  }
  if (open.participants_size() == 0) {
    return Status::InvalidArgument("round.bad_participants", "the participant set is empty");
  }
  std::set<std::string> ids, keys;
  for (const auto& p : open.participants()) {
    if (Status s = transport::ValidateParticipantId(p.participant_id()); !s.ok()) {
      return Status::InvalidArgument("round.bad_participants", s.message());
    }
    if (Status s = transport::ValidateZ85Key(p.curve_public_key()); !s.ok()) {
      return Status::InvalidArgument("round.bad_participants",
                                     "participant '" + p.participant_id() + "': " + s.message());
    }
    if (!ids.insert(p.participant_id()).second || !keys.insert(p.curve_public_key()).second) {
      return Status::InvalidArgument(
          "round.bad_participants",
          "participant '" + p.participant_id() + "' or its key is listed twice");
    }
  }
  if (open.min_participants() == 0 ||
      open.min_participants() > static_cast<uint32_t>(open.participants_size())) {
    return Status::InvalidArgument("round.bad_min_participants",
                                   "min_participants " + std::to_string(open.min_participants()) +
                                       " for " + std::to_string(open.participants_size()) +
                                       " participants");
  }

  // Rollback protection.
  if (!federation_id_.empty() && open.federation_id() != federation_id_) {
    return Status::PermissionDenied("round.wrong_federation",
                                    "this aggregator serves federation '" + federation_id_ +
                                        "', not '" + open.federation_id() + "'");
  }
  // A round may be opened again (the coordinator retries a round that failed) only while no
  // aggregate of it was released: two aggregates of one round over different participant
  // sets would reveal the difference, i.e. one participant's update.
  if (last_round_ && (open.round() < *last_round_ ||
                      (open.round() == *last_round_ && released_round_ == open.round()))) {
    return Status::PermissionDenied(
        "round.rollback", "round " + std::to_string(open.round()) + " is not after the last " +
                              (released_round_ == *last_round_ ? "released" : "opened") +
                              " round " + std::to_string(*last_round_));
  }
  if (open.last_committed_round() >= open.round()) {
    return Status::PermissionDenied(
        "round.rollback", "last_committed_round " + std::to_string(open.last_committed_round()) +
                              " is not before round " + std::to_string(open.round()));
  }
  if (last_committed_round_) {
    if (open.last_committed_round() < *last_committed_round_) {
      return Status::PermissionDenied("round.rollback",
                                      "last_committed_round went back from " +
                                          std::to_string(*last_committed_round_) + " to " +
                                          std::to_string(open.last_committed_round()));
    }
    if (open.last_committed_round() == *last_committed_round_ &&
        open.log_head() != last_log_head_) {
      return Status::PermissionDenied(
          "round.rollback", "log head changed while last_committed_round stayed at " +
                                std::to_string(open.last_committed_round()) + " (forked log)");
    }
  }

  RoundConfig c;
  c.federation_id = open.federation_id();
  c.round = open.round();
  c.min_participants = open.min_participants();
  c.strategy = open.strategy().empty() ? "fedavg" : open.strategy();
  c.strategy_params.insert(open.strategy_params().begin(), open.strategy_params().end());
  c.model_bytes = open.model_bytes();
  c.model_sha256 = ToBytes(open.model_sha256());
  c.last_committed_round = open.last_committed_round();
  c.log_head = open.log_head();
  c.max_examples_per_update = open.max_examples_per_update() == 0 ? kDefaultMaxExamplesPerUpdate
                                                                  : open.max_examples_per_update();

  participants_.clear();
  for (const auto& p : open.participants()) {
    ParticipantRecord r;
    r.id = p.participant_id();
    r.curve_key = p.curve_public_key();
    participants_.emplace(r.id, std::move(r));
  }
  config_ = std::move(c);
  phase_ = RoundPhase::kAwaitingModel;
  federation_id_ = open.federation_id();
  last_round_ = open.round();
  last_committed_round_ = open.last_committed_round();
  last_log_head_ = open.log_head();
  return Status::Ok();
}

Status RoundState::CheckUpdateStart(const std::string& federation_id, uint64_t round,
                                    const std::string& participant_id) const {
  if (!config_) {
    return Status::FailedPrecondition("round.not_ready", "no round is open");
  }
  if (federation_id != config_->federation_id) {
    return Status::InvalidArgument(
        "update.wrong_federation",
        "this aggregator serves federation '" + config_->federation_id + "'");
  }
  if (round != config_->round) {
    return Status::FailedPrecondition("round.wrong_round", "round " + std::to_string(round) +
                                                               " is not the open round " +
                                                               std::to_string(config_->round));
  }
  if (phase_ != RoundPhase::kCollecting) {
    return Status::FailedPrecondition(
        "round.not_ready", phase_ == RoundPhase::kAwaitingModel
                               ? "the round's global model has not arrived yet"
                               : "round " + std::to_string(round) + " takes no more updates");
  }
  const ParticipantRecord* r = Find(participant_id);
  if (r == nullptr) {
    return Status::PermissionDenied("auth.not_in_round",
                                    "'" + participant_id + "' is not in this round's set");
  }
  if (r->phase == UpdatePhase::kAccepted || r->phase == UpdatePhase::kInFlight) {
    return Status::FailedPrecondition(
        "update.duplicate", r->phase == UpdatePhase::kAccepted
                                ? "an update of '" + participant_id + "' was already accepted"
                                : "a stream of '" + participant_id + "' is already in flight");
  }
  return Status::Ok();
}

const ParticipantRecord* RoundState::Find(const std::string& participant_id) const {
  auto it = participants_.find(participant_id);
  return it == participants_.end() ? nullptr : &it->second;
}

ParticipantRecord* RoundState::MutableFind(const std::string& participant_id) {
  auto it = participants_.find(participant_id);
  return it == participants_.end() ? nullptr : &it->second;
}

const ParticipantRecord* RoundState::FindAuthenticated(const std::string& peer_id,
                                                       const std::string& peer_key) const {
  const ParticipantRecord* r = Find(peer_id);
  if (r == nullptr || r->curve_key != peer_key) return nullptr;
  return r;
}

void RoundState::MarkInFlight(const std::string& participant_id) {
  if (auto* r = MutableFind(participant_id)) {
    r->phase = UpdatePhase::kInFlight;
    r->reason.clear();
  }
}

void RoundState::MarkAccepted(const std::string& participant_id, Bytes digest,
                              uint64_t num_examples) {
  if (auto* r = MutableFind(participant_id)) {
    r->phase = UpdatePhase::kAccepted;
    r->digest = std::move(digest);
    r->num_examples = num_examples;
    r->reason.clear();
  }
}

void RoundState::MarkRejected(const std::string& participant_id, const std::string& reason) {
  if (auto* r = MutableFind(participant_id)) {
    r->phase = UpdatePhase::kRejected;
    r->digest.clear();
    r->num_examples = 0;
    r->reason = reason;
  }
}

std::vector<const ParticipantRecord*> RoundState::Accepted() const {
  std::vector<const ParticipantRecord*> out;
  for (const auto& [id, r] : participants_) {  // std::map: sorted by id
    if (r.phase == UpdatePhase::kAccepted) out.push_back(&r);
  }
  return out;
}

size_t RoundState::accepted_count() const {
  return std::count_if(participants_.begin(), participants_.end(),
                       [](const auto& kv) { return kv.second.phase == UpdatePhase::kAccepted; });
}

size_t RoundState::rejected_count() const {
  return std::count_if(participants_.begin(), participants_.end(),
                       [](const auto& kv) { return kv.second.phase == UpdatePhase::kRejected; });
}

std::map<std::string, std::string> RoundState::Allowlist() const {
  std::map<std::string, std::string> out;
  for (const auto& [id, r] : participants_) out[r.curve_key] = id;
  return out;
}

}  // namespace fedtee::aggregator
