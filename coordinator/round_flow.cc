// Coordinator: the round state machine (start, collect, finalize, commit, retry).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "coordinator/coordinator.h"
#include "crypto/digest.h"
#include "federation/envelope.h"
#include "federation/receipt.h"
#include "model/safetensors.h"

namespace fedtee::coordinator {

using federation::Encode;
using federation::NowMs;

namespace {
std::string Short(const std::string& hex) { return hex.substr(0, 16); }
}  // namespace

void Coordinator::Tick() {
  uint64_t now = NowMs();
  for (const auto& id : alive_->Expired()) {
    spdlog::warn("participant {} went silent (no message for {} s); it must join again",
                 id, config_.heartbeat_timeout_seconds);
    // Its next message is answered "participant.not_joined", so a live one re-joins.
    members_[id].joined = false;
  }
  if (aggregator_link_ &&
      now - aggregator_link_->last_seen_ms > uint64_t{config_.heartbeat_timeout_seconds} * 1000) {
    spdlog::error("the aggregator went silent; waiting for a new one to attest");
    aggregator_link_.reset();
    if (phase_ == Phase::kCollecting || phase_ == Phase::kFinalizing) {
      FailRound("the aggregator went away mid-round");
    }
  }
  switch (phase_) {
    case Phase::kWaiting: MaybeStartRound(); break;
    case Phase::kOpening:
      if (now >= run_.open_deadline_ms) FailRound("the aggregator did not open the round in time");
      break;
    case Phase::kCollecting:
      if (now >= run_.deadline_ms) MaybeFinalize();
      break;
    case Phase::kFinalizing:
      if (now >= run_.finalize_deadline_ms) FailRound("no result from the aggregator in time");
      break;
    case Phase::kDone: break;
  }
}

void Coordinator::MaybeStartRound() {
  if (!fatal_.ok()) return;
  uint64_t now = NowMs();
  bool waited_out = now - waiting_since_ms_ > uint64_t{config_.start_timeout_seconds} * 1000;
  if (!aggregator_link_ || !aggregator_link_->attested) {
    if (waited_out) {
      fatal_ = Status::Unavailable("coordinator.no_aggregator",
                                   "no attested aggregator within start_timeout_seconds");
    }
    return;
  }
  size_t want = config_.participants_per_round ? config_.participants_per_round : roster_.size();
  size_t alive = AliveMembers().size();
  if (rounds_started_) {
    // After the first round, do not hold every round for start_timeout waiting for sites
    // that went silent: the joined, live ones are the federation now (at least min of them).
    want = std::min(want, std::max<size_t>(alive, config_.min_participants));
  }
  if (alive >= want || (waited_out && alive >= config_.min_participants)) {
    Status s = StartRound();
    if (!s.ok()) FailRound(s.ToString());
  } else if (waited_out) {
    fatal_ = Status::Unavailable(
        "coordinator.too_few_participants",
        std::to_string(alive) + " participants connected within start_timeout_seconds, " +
            std::to_string(config_.min_participants) + " needed (min_participants)");
  }
}

Status Coordinator::StartRound() {
  uint64_t round = state_.last_committed_round + 1;
  if (run_.round != round) {
    run_ = RoundRun{};
    run_.round = round;
  } else {
    uint32_t attempt = run_.attempt + 1;
    run_ = RoundRun{};
    run_.round = round;
    run_.attempt = attempt;
  }
  std::vector<std::string> ids = AliveMembers();
  size_t want = config_.participants_per_round ? config_.participants_per_round : ids.size();
  if (ids.size() > want) {
    std::mt19937_64 rng(config_.seed ^ (round * 0x9E3779B97F4A7C15ull) ^ run_.attempt);
    std::shuffle(ids.begin(), ids.end(), rng);
    ids.resize(want);
    std::sort(ids.begin(), ids.end());
  }
  for (const auto& id : ids) run_.slots[id];
  rounds_started_ = true;
  run_.started_ms = NowMs();
  Bytes sha = crypto::Sha256(model_bytes_);

  v1::Envelope open;
  auto* o = open.mutable_round_open();
  o->set_federation_id(config_.federation_id);
  o->set_round(round);
  for (const auto& id : ids) {
    auto* p = o->add_participants();
    p->set_participant_id(id);
    p->set_curve_public_key(roster_.Find(id)->public_key);
  }
  o->set_min_participants(config_.min_participants);
  o->set_strategy(config_.strategy);
  for (const auto& [k, v] : config_.strategy_params) (*o->mutable_strategy_params())[k] = v;
  o->set_model_bytes(model_bytes_.size());
  o->set_model_sha256(ToString(sha));
  o->set_last_committed_round(state_.last_committed_round);
  o->set_log_head(state_.log_head);
  o->set_max_examples_per_update(config_.max_examples_per_update);
  FEDTEE_RETURN_IF_ERROR(SendToAggregator(Encode(open)));
  std::string stream = "model/" + std::to_string(round);
  FEDTEE_RETURN_IF_ERROR(federation::SendPayload(
      stream, model_bytes_, config_.chunk_bytes,
      [&](Bytes frame) { return SendToAggregator(std::move(frame)); }));

  phase_ = Phase::kOpening;
  run_.open_deadline_ms = NowMs() + uint64_t{config_.finalize_timeout_seconds} * 1000;
  std::string who;
  for (const auto& id : ids) who += (who.empty() ? "" : ", ") + id;
  spdlog::info("round {}{} opening with {} participants ({})", round,
               run_.attempt ? " (retry " + std::to_string(run_.attempt) + ")" : "", ids.size(),
               who);
  return Status::Ok();
}

void Coordinator::SendTasks() {
  const auto& agg = *aggregator_link_->attested;
  Bytes sha = crypto::Sha256(model_bytes_);
  std::string stream = "model/" + std::to_string(run_.round);
  run_.started_ms = NowMs();
  run_.deadline_ms = run_.started_ms + uint64_t{config_.round_timeout_seconds} * 1000;
  for (const auto& [id, slot] : run_.slots) {
    v1::Envelope task;
    auto* t = task.mutable_round_task();
    t->set_federation_id(config_.federation_id);
    t->set_round(run_.round);
    auto* tr = t->mutable_train();
    tr->set_epochs(config_.train.epochs);
    tr->set_batch_size(config_.train.batch_size);
    tr->set_learning_rate(config_.train.learning_rate);
    tr->set_l2(config_.train.l2);
    tr->set_fedprox_mu(config_.train.fedprox_mu);
    tr->set_seed(TrainSeed(id));
    auto* m = t->mutable_model();
    m->set_kind(config_.model.kind);
    m->set_num_features(config_.model.num_features);
    m->set_num_classes(config_.model.num_classes);
    for (uint32_t h : config_.model.hidden) m->add_hidden(h);
    t->set_aggregator_endpoint(agg.data_endpoint);
    t->set_aggregator_curve_key(agg.curve_public_key);
    t->set_deadline_ms(run_.deadline_ms);
    t->set_model_bytes(model_bytes_.size());
    t->set_model_sha256(ToString(sha));
    t->set_log_head(state_.log_head);
    t->set_last_committed_round(state_.last_committed_round);
    SendToParticipant(id, Encode(task));
    Status s = federation::SendPayload(stream, model_bytes_, config_.chunk_bytes, [&](Bytes f) {
      SendToParticipant(id, std::move(f));
      return Status::Ok();
    });
    (void)s;
  }
  phase_ = Phase::kCollecting;
  spdlog::info("round {} started: tasks sent to {} participants; deadline in {} s", run_.round,
               run_.slots.size(), config_.round_timeout_seconds);
}


void Coordinator::MaybeFinalize() {
  if (phase_ != Phase::kCollecting) return;
  size_t accepted = 0, resolved = 0;
  for (const auto& [id, s] : run_.slots) {
    accepted += s.accepted;
    // Resolved: refused, or the aggregator's verdict and the participant's report are in.
    if (s.refused || (s.update_known && s.reported) || (s.reported && !s.report.submitted())) {
      ++resolved;
    }
  }
  bool all_in = resolved == run_.slots.size();
  if (!all_in && NowMs() < run_.deadline_ms) return;
  if (accepted < config_.min_participants) {
    FailRound(std::to_string(accepted) + " updates accepted by the deadline, " +
              std::to_string(config_.min_participants) + " needed (min_participants)");
    return;
  }
  v1::Envelope fin;
  fin.mutable_finalize()->set_round(run_.round);
  Status s = SendToAggregator(Encode(fin));
  if (!s.ok()) {
    FailRound("cannot reach the aggregator: " + s.ToString());
    return;
  }
  phase_ = Phase::kFinalizing;
  run_.finalize_deadline_ms = NowMs() + uint64_t{config_.finalize_timeout_seconds} * 1000;
  spdlog::info("round {}: {} of {} updates accepted{}; asking the aggregator to aggregate",
               run_.round, accepted, run_.slots.size(), all_in ? "" : " at the deadline");
}

void Coordinator::FailRound(const std::string& why) {
  ++failures_in_a_row_;
  spdlog::error("round {} failed: {} (failure {} of at most {})", run_.round, why,
                failures_in_a_row_, config_.max_round_retries + 1);
  if (metrics_) {
    metrics_->Write({{"event", "round_failed"}, {"round", run_.round}, {"reason", why}});
  }
  if (failures_in_a_row_ > config_.max_round_retries) {
    fatal_ = Status::Unavailable("round.failed", "round " + std::to_string(run_.round) +
                                                     " failed " +
                                                     std::to_string(failures_in_a_row_) +
                                                     " times; last: " + why);
  }
  phase_ = Phase::kWaiting;
  waiting_since_ms_ = NowMs();
  run_.result.reset();
  run_.aggregate.reset();
}

void Coordinator::OnRoundResult(const v1::RoundResult& r) {
  if (phase_ != Phase::kFinalizing || r.round() != run_.round) {
    spdlog::warn("ignoring a result for round {} (current round {})", r.round(), run_.round);
    return;
  }
  run_.result = r;
  run_.aggregate.emplace("aggregate/" + std::to_string(r.round()), r.model_bytes(),
                         config_.max_message_bytes * 4096);
}

void Coordinator::OnAggregateChunk(const v1::PayloadChunk& c) {
  if (!run_.aggregate) return;
  auto done = run_.aggregate->Add(c);
  if (!done.ok()) {
    FailRound("aggregate stream: " + done.status().ToString());
    return;
  }
  if (!*done) return;
  Status s = CommitRound(run_.aggregate->Take());
  if (!s.ok()) FailRound("refused the aggregator's result: " + s.ToString());
}

Status Coordinator::CommitRound(Bytes model_bytes) {
  const auto& agg = *aggregator_link_->attested;
  const v1::RoundResult& res = *run_.result;
  FEDTEE_ASSIGN_OR_RETURN(
      v1::Receipt receipt,
      federation::VerifyReceipt(AsBytes(res.receipt()), AsBytes(res.receipt_signature()),
                                agg.receipt_public_key));
  Bytes new_sha = crypto::Sha256(model_bytes);
  if (receipt.federation_id() != config_.federation_id || receipt.round() != run_.round ||
      receipt.previous_log_head() != state_.log_head ||
      HexEncode(AsBytes(receipt.previous_model_sha256())) != state_.model_sha256 ||
      !crypto::ConstantTimeEqual(AsBytes(receipt.model_sha256()), new_sha)) {
    return Status::Unauthenticated("receipt.mismatch",
                                   "the receipt does not describe this round, its starting "
                                   "model or the model delivered");
  }
  if (receipt.entries_size() < static_cast<int>(config_.min_participants)) {
    return Status::PermissionDenied("receipt.too_few_updates",
                                    "the receipt lists fewer than min_participants updates");
  }
  auto params = model::ParseSafetensors(model_bytes);
  if (!params.ok()) return params.status().Wrap("aggregate model");
  auto old = model::ParseSafetensors(model_bytes_);
  if (old.ok() && !params->SameLayout(*old)) {
    return Status::Corruption("aggregate.layout", "the aggregate has another tensor layout");
  }
  FEDTEE_RETURN_IF_ERROR(params->CheckFinite());

  federation::RoundLogEntry entry;
  entry.round = run_.round;
  entry.receipt = ToBytes(res.receipt());
  entry.signature = ToBytes(res.receipt_signature());
  entry.receipt_public_key = agg.receipt_public_key;
  entry.measurement = agg.measurement_hex;
  entry.platform = agg.platform;
  entry.prev_head = state_.log_head;
  entry.head = federation::ComputeHead(entry.prev_head, entry.receipt, entry.signature);
  nlohmann::json metrics = RoundMetrics();
  entry.metrics_json = metrics.dump();

  CommittedState next = state_;
  next.last_committed_round = run_.round;
  next.log_head = entry.head;
  next.model_sha256 = HexEncode(new_sha);
  FEDTEE_RETURN_IF_ERROR(store_->Commit(next, model_bytes, entry));
  state_ = next;
  model_bytes_ = std::move(model_bytes);
  failures_in_a_row_ = 0;

  double secs = (NowMs() - run_.started_ms) / 1000.0;
  spdlog::info("round {} committed in {:.2f} s: {} updates in the receipt (signature verified "
               "under the attested key); global-model eval before this round: accuracy {:.4f} "
               "loss {:.4f}; log head {}",
               run_.round, secs, receipt.entries_size(), metrics.value("eval_accuracy", 0.0),
               metrics.value("eval_loss", 0.0), Short(state_.log_head));
  if (metrics_) {
    metrics["event"] = "round_committed";
    metrics["round"] = run_.round;
    metrics["seconds"] = secs;
    metrics_->Write(metrics);
  }
  v1::Envelope out;
  auto* o = out.mutable_round_outcome();
  o->set_round(run_.round);
  o->set_receipt(res.receipt());
  o->set_receipt_signature(res.receipt_signature());
  o->set_log_head(state_.log_head);
  o->set_final_round(state_.last_committed_round >= config_.rounds);
  Bytes frame = Encode(out);
  for (const auto& [id, slot] : run_.slots) SendToParticipant(id, frame);

  phase_ = state_.last_committed_round >= config_.rounds ? Phase::kDone : Phase::kWaiting;
  waiting_since_ms_ = NowMs();
  return Status::Ok();
}

nlohmann::json Coordinator::RoundMetrics() const {
  double loss = 0, acc = 0, train_loss = 0;
  uint64_t n = 0, trained = 0;
  nlohmann::json accepted = nlohmann::json::array(), rejected = nlohmann::json::array(),
                 refused = nlohmann::json::array();
  for (const auto& [id, s] : run_.slots) {
    if (s.accepted) accepted.push_back(id);
    if (s.update_known && !s.accepted) rejected.push_back({{"participant", id}, {"reason", s.reason}});
    if (s.refused) refused.push_back({{"participant", id}, {"reason", s.report.refusal()}});
    if (s.reported && s.report.eval_examples() > 0) {
      n += s.report.eval_examples();
      loss += s.report.eval_loss() * s.report.eval_examples();
      acc += s.report.eval_accuracy() * s.report.eval_examples();
    }
    if (s.accepted) {
      train_loss += s.report.train_loss();
      ++trained;
    }
  }
  nlohmann::json j = {{"participants", run_.slots.size()}, {"accepted", accepted},
                      {"rejected", rejected}, {"refused", refused}, {"eval_examples", n}};
  if (n) {
    j["eval_loss"] = loss / n;
    j["eval_accuracy"] = acc / n;
  }
  if (trained) j["train_loss"] = train_loss / trained;
  return j;
}

}  // namespace fedtee::coordinator
