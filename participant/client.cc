#include "participant/client.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "crypto/digest.h"
#include "federation/envelope.h"
#include "federation/receipt.h"
#include "federation/round_log.h"
#include "model/safetensors.h"
#include "model/trainer.h"
#include "participant/attack.h"
#include "participant/update_sealer.h"

namespace fedtee::participant {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPollSlice{100};
constexpr std::chrono::seconds kJoinRetry{5};
constexpr char kSoftwareVersion[] = "fedtee-participant 0.1.0";

std::string Short(const std::string& hex) { return hex.substr(0, 16); }

Result<model::ModelSpec> SpecFromProto(const v1::ModelSpec& p) {
  model::ModelSpec spec;
  if (p.kind() == "logistic_regression") {
    spec.kind = model::ModelKind::kLogisticRegression;
  } else if (p.kind() == "mlp") {
    spec.kind = model::ModelKind::kMlp;
  } else {
    return Status::InvalidArgument("model.bad_spec", "unknown model kind '" + p.kind() + "'");
  }
  spec.num_features = static_cast<int>(p.num_features());
  spec.num_classes = static_cast<int>(p.num_classes());
  for (uint32_t h : p.hidden()) spec.hidden.push_back(static_cast<int>(h));
  FEDTEE_RETURN_IF_ERROR(model::ValidateSpec(spec));
  return spec;
}

void Wipe(model::ModelParams& p) {
  for (size_t i = 0; i < p.size(); ++i) {
    auto d = p.mutable_data(i);
    OPENSSL_cleanse(d.data(), d.size_bytes());
  }
}

// Errors from the coordinator after which talking on is pointless.
bool IsFatalCoordinatorError(const std::string& code) {
  return code == "protocol.version" || code == "auth.id_mismatch";
}

}  // namespace

ParticipantClient::ParticipantClient(ClientSetup setup) : s_(std::move(setup)) {}
ParticipantClient::~ParticipantClient() = default;

void ParticipantClient::Metric(nlohmann::json event) {
  if (s_.metrics == nullptr) return;
  event["participant"] = s_.config.participant_id;
  s_.metrics->Write(std::move(event));
}

Status ParticipantClient::SendToCoordinator(v1::Envelope env) {
  Bytes frame = federation::Encode(std::move(env));
  Status st = coordinator_->Send({ByteSpan(frame)});
  if (st.ok()) last_sent_ = SteadyClock::now();
  return st;
}

Status ParticipantClient::SendJoin() {
  v1::Envelope env;
  env.mutable_join()->set_participant_id(s_.config.participant_id);
  env.mutable_join()->set_software_version(kSoftwareVersion);
  join_sent_ = SteadyClock::now();
  return SendToCoordinator(std::move(env));
}

bool ParticipantClient::Tick() {
  if (federation::StopRequested()) return false;
  auto now = SteadyClock::now();
  if (now - last_sent_ >= std::chrono::milliseconds(s_.config.heartbeat_ms)) {
    v1::Envelope hb;
    hb.mutable_heartbeat()->set_sent_at_ms(federation::NowMs());
    Status st = SendToCoordinator(std::move(hb));
    if (!st.ok()) {
      spdlog::warn("heartbeat to the coordinator failed: {}", st.ToString());
      last_sent_ = now;  // do not retry in a tight loop
    }
  }
  return true;
}

Status ParticipantClient::ConnectCoordinator() {
  auto socket = transport::ClientSocket::Connect(context_, s_.identity, s_.coordinator_key,
                                                 s_.config.coordinator);
  if (!socket.ok()) return socket.status().Wrap("coordinator " + s_.config.coordinator);
  coordinator_.emplace(std::move(socket).value());
  auto started = SteadyClock::now();
  auto last_note = started;
  while (true) {
    if (federation::StopRequested()) {
      return Status::FailedPrecondition("participant.stopping", "stop requested");
    }
    Status st = coordinator_->WaitConnected(std::chrono::milliseconds(500));
    if (st.ok()) break;
    if (st.reason() == "transport.auth_denied") {
      return st.Wrap("the coordinator at " + s_.config.coordinator + " refused this site's key " +
                     s_.identity.public_z85 + " (is '" + s_.config.participant_id +
                     "' enrolled in its roster?)");
    }
    if (st.reason() == "transport.handshake_failed") {
      return st.Wrap("the server at " + s_.config.coordinator +
                     " does not hold the pinned coordinator key " + s_.coordinator_key);
    }
    if (st.code() != StatusCode::kDeadlineExceeded) return st;
    if (SteadyClock::now() - last_note >= std::chrono::seconds(10)) {
      spdlog::warn(
          "still waiting for the coordinator at {} ({} s)", s_.config.coordinator,
          std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started).count());
      last_note = SteadyClock::now();
    }
  }
  spdlog::info("connected to the coordinator at {} (key {} pinned)", s_.config.coordinator,
               s_.coordinator_key);
  return Status::Ok();
}

Status ParticipantClient::Run() {
  Status st = ConnectCoordinator();
  if (st.reason() == "participant.stopping") return Status::Ok();
  FEDTEE_RETURN_IF_ERROR(st);
  FEDTEE_RETURN_IF_ERROR(SendJoin());
  while (true) {
    if (!Tick()) {
      spdlog::info("stop requested; leaving");
      return Status::Ok();
    }
    if (!joined_ && SteadyClock::now() - join_sent_ >= kJoinRetry) {
      spdlog::info("no JoinAck yet; sending Join again");
      FEDTEE_RETURN_IF_ERROR(SendJoin());
    }
    auto msg = coordinator_->Receive(kPollSlice);
    if (!msg.ok()) return msg.status().Wrap("receiving from the coordinator");
    if (!msg->has_value()) continue;
    const std::vector<Bytes>& frames = **msg;
    if (frames.size() != 1) {
      spdlog::warn("coordinator sent a message of {} frames; ignored", frames.size());
      continue;
    }
    auto env = federation::Decode(frames[0]);
    if (!env.ok()) {
      if (env.status().reason() == "protocol.version") {
        return env.status().Wrap("the coordinator speaks another protocol version");
      }
      spdlog::warn("coordinator sent an undecodable frame: {}", env.status().ToString());
      continue;
    }
    FEDTEE_ASSIGN_OR_RETURN(Next next, Handle(*env));
    if (next == Next::kDone) break;
  }
  if (receipt_failures_ > 0) {
    return Status::PermissionDenied("receipt.check_failed",
                                    std::to_string(receipt_failures_) +
                                        " round receipt(s) did not verify or did not list this "
                                        "site's update; see the errors above");
  }
  return Status::Ok();
}

Result<ParticipantClient::Next> ParticipantClient::Handle(const v1::Envelope& env) {
  switch (env.body_case()) {
    case v1::Envelope::kJoinAck: {
      const v1::JoinAck& ack = env.join_ack();
      FEDTEE_RETURN_IF_ERROR(s_.guard->CheckClaim(ack.last_committed_round(), ack.log_head()));
      joined_ = true;
      federation_id_ = ack.federation_id();
      spdlog::info(
          "joined federation '{}' as '{}': coordinator at round {} (log head {}); "
          "highest receipt this site verified: round {}",
          federation_id_, s_.config.participant_id, ack.last_committed_round(),
          Short(ack.log_head()), s_.guard->highest_round());
      Metric({{"event", "joined"},
              {"federation", federation_id_},
              {"last_committed_round", ack.last_committed_round()}});
      return Next::kContinue;
    }
    case v1::Envelope::kRoundTask:
      FEDTEE_RETURN_IF_ERROR(OnRoundTask(env.round_task()));
      return Next::kContinue;
    case v1::Envelope::kPayloadChunk:
      FEDTEE_RETURN_IF_ERROR(OnModelChunk(env.payload_chunk()));
      return Next::kContinue;
    case v1::Envelope::kRoundOutcome:
      return OnRoundOutcome(env.round_outcome());
    case v1::Envelope::kShutdown:
      spdlog::info("the coordinator ended the federation: {}", env.shutdown().reason());
      Metric({{"event", "shutdown"}, {"reason", env.shutdown().reason()}});
      return Next::kDone;
    case v1::Envelope::kHeartbeat:
      return Next::kContinue;
    case v1::Envelope::kError: {
      const v1::Error& e = env.error();
      if (IsFatalCoordinatorError(e.code())) {
        return Status(e.code() == "protocol.version" ? StatusCode::kOutOfRange
                                                     : StatusCode::kPermissionDenied,
                      e.code(), "the coordinator refused us: " + e.message());
      }
      spdlog::warn("coordinator: {}: {}", e.code(), e.message());
      if (e.code().rfind("join.", 0) == 0 || e.code() == "participant.not_joined") {
        joined_ = false;
        FEDTEE_RETURN_IF_ERROR(SendJoin());
      }
      return Next::kContinue;
    }
    default:
      spdlog::warn("coordinator sent {}, which a participant does not expect; ignored",
                   federation::BodyName(env));
      return Next::kContinue;
  }
}

Status ParticipantClient::OnRoundTask(const v1::RoundTask& task) {
  FEDTEE_RETURN_IF_ERROR(s_.guard->CheckClaim(task.last_committed_round(), task.log_head()));
  if (!federation_id_.empty() && task.federation_id() != federation_id_) {
    spdlog::error("round {}: task for federation '{}', but this site joined '{}'; refused",
                  task.round(), task.federation_id(), federation_id_);
    v1::TaskReport report;
    return Refuse(task, report, "federation.mismatch: task for another federation");
  }
  if (task_) {
    spdlog::warn("round {}: a new task replaces the unfinished task of round {}", task.round(),
                 task_->round());
  }
  spdlog::info("round {}: task received (model {} bytes, aggregator {})", task.round(),
               task.model_bytes(), task.aggregator_endpoint());
  task_ = task;
  model_stream_.emplace("model/" + std::to_string(task.round()), task.model_bytes(),
                        kMaxModelBytes);
  return Status::Ok();
}

Status ParticipantClient::OnModelChunk(const v1::PayloadChunk& chunk) {
  if (!task_ || !model_stream_) {
    spdlog::debug("payload chunk of stream '{}' without a task; ignored", chunk.stream());
    return Status::Ok();
  }
  auto done = model_stream_->Add(chunk);
  if (!done.ok()) {
    v1::RoundTask task = *task_;
    task_.reset();
    model_stream_.reset();
    spdlog::error("round {}: the global model did not arrive intact: {}", task.round(),
                  done.status().ToString());
    return Refuse(task, v1::TaskReport(), RefusalText(done.status()));
  }
  if (!*done) return Status::Ok();
  v1::RoundTask task = std::move(*task_);
  Bytes model_bytes = model_stream_->Take();
  task_.reset();
  model_stream_.reset();
  return RunTask(task, std::move(model_bytes));
}

Status ParticipantClient::Refuse(const v1::RoundTask& task, v1::TaskReport report,
                                 const std::string& why) {
  report.set_round(task.round());
  report.set_submitted(false);
  report.set_refusal(why);
  Metric({{"event", "task_refused"}, {"round", task.round()}, {"reason", why}});
  v1::Envelope env;
  *env.mutable_task_report() = std::move(report);
  return SendToCoordinator(std::move(env)).Wrap("sending TaskReport");
}

Status ParticipantClient::RunTask(const v1::RoundTask& task, Bytes model_bytes) {
  const uint64_t r = task.round();
  v1::TaskReport report;

  // 1. The global model: size (checked by the assembler) and digest, then its layout.
  Bytes sha = crypto::Sha256(model_bytes);
  if (!crypto::ConstantTimeEqual(sha, AsBytes(task.model_sha256()))) {
    spdlog::error("round {}: the global model's SHA-256 {} differs from the task's {}", r,
                  HexEncode(sha), HexEncode(AsBytes(task.model_sha256())));
    return Refuse(task, report, "model.digest_mismatch: the global model's SHA-256 differs");
  }
  auto spec = SpecFromProto(task.model());
  if (!spec.ok()) return Refuse(task, report, RefusalText(spec.status()));
  auto global = model::ParseSafetensors(model_bytes);
  if (!global.ok()) {
    spdlog::error("round {}: global model unreadable: {}", r, global.status().ToString());
    return Refuse(task, report, RefusalText(global.status()));
  }
  Status st = ConformToModel(s_.data.train, spec->num_features, spec->num_classes);
  if (st.ok()) st = ConformToModel(s_.data.eval, spec->num_features, spec->num_classes);
  if (!st.ok()) {
    spdlog::error("round {}: local data does not fit the model: {}", r, st.ToString());
    return Refuse(task, report, RefusalText(st));
  }

  // 2. Evaluate the global model on the local held-out data.
  if (s_.data.eval.size() > 0) {
    auto ev = model::Evaluate(*spec, *global, s_.data.eval);
    if (ev.ok()) {
      report.set_eval_loss(ev->loss);
      report.set_eval_accuracy(ev->accuracy);
      report.set_eval_examples(static_cast<uint64_t>(ev->n));
      spdlog::info(
          "round {}: global model on {} local held-out examples: accuracy {:.4f}, "
          "loss {:.4f}",
          r, ev->n, ev->accuracy, ev->loss);
    } else {
      spdlog::warn("round {}: evaluating the global model failed: {}", r, ev.status().ToString());
    }
  }

  // 3. Attest the aggregator ourselves: our challenge, our policy, its pinned key.
  auto idle = [this] { return Tick(); };
  AggregatorSessionOptions opts;
  opts.attest_timeout = std::chrono::milliseconds(s_.config.attest_timeout_ms);
  opts.update_status_timeout = std::chrono::milliseconds(s_.config.update_status_timeout_ms);
  auto session = AggregatorSession::Connect(context_, s_.identity, task.aggregator_endpoint(),
                                            task.aggregator_curve_key(), opts);
  Result<federation::AttestedAggregator> attested =
      session.ok() ? session->Attest(s_.policy, s_.verify_options, *s_.clock, idle)
                   : Result<federation::AttestedAggregator>(session.status());
  if (!attested.ok()) {
    if (attested.status().reason() == "participant.stopping") return Status::Ok();
    std::string allowed;
    for (const Bytes& m : s_.policy.allowed_measurements) {
      allowed += (allowed.empty() ? "" : ", ") + HexEncode(m);
    }
    spdlog::error(
        "round {}: REFUSING to train or send anything: the aggregator at {} (key {}) "
        "failed this site's verification: {}. Policy {} allows measurements [{}]",
        r, task.aggregator_endpoint(), task.aggregator_curve_key(), attested.status().ToString(),
        s_.config.policy.string(), allowed);
    Metric({{"event", "aggregator_refused"},
            {"round", r},
            {"reason", attested.status().reason()},
            {"message", attested.status().message()}});
    return Refuse(task, report, RefusalText(attested.status()));
  }
  const federation::AttestedAggregator& agg = *attested;
  report.set_verified_measurement(agg.measurement_hex);
  report.set_verified_platform(agg.platform);
  spdlog::info(
      "round {}: aggregator verified against {}: platform {}{}, measurement {} "
      "allowed, keys bound to this site's challenge",
      r, s_.config.policy.string(), agg.platform,
      agg.claims.hardware_backed ? "" : " (SIMULATED: no hardware protection)",
      agg.measurement_hex);
  Metric({{"event", "aggregator_verified"},
          {"round", r},
          {"platform", agg.platform},
          {"measurement", agg.measurement_hex}});

  // 4. Train locally and seal the delta to the attested key.
  model::TrainOptions train;
  train.epochs = static_cast<int>(task.train().epochs());
  train.batch_size = static_cast<int>(task.train().batch_size());
  train.learning_rate = task.train().learning_rate();
  train.l2 = task.train().l2();
  train.fedprox_mu = task.train().fedprox_mu();
  train.seed = task.train().seed();
  auto trained = model::TrainLocal(*spec, *global, s_.data.train, train);
  if (!trained.ok()) {
    spdlog::error("round {}: local training failed: {}", r, trained.status().ToString());
    return Refuse(task, report, "training failed: " + RefusalText(trained.status()));
  }
  report.set_train_loss(trained->train_loss);
  auto delta = model::Delta(trained->params, *global);
  Wipe(trained->params);
  if (!delta.ok()) return Refuse(task, report, RefusalText(delta.status()));
  // DEMO ONLY: a simulated malicious participant (participant/attack.h; unset = no-op).
  static const auto attack = SimulatedAttackFromEnvironment();
  if (attack) ApplySimulatedAttack(*attack, r, *delta);
  crypto::StreamBinding binding{task.federation_id(), r, s_.config.participant_id};
  auto sealed =
      SealUpdate(*delta, static_cast<uint64_t>(trained->num_examples), trained->train_loss,
                 agg.hpke_public_key, binding, s_.config.chunk_bytes);
  Wipe(*delta);
  if (!sealed.ok()) return Refuse(task, report, RefusalText(sealed.status()));
  const std::string digest_hex = HexEncode(sealed->digest);
  spdlog::info(
      "round {}: trained on {} examples (train loss {:.4f}); sealed {} values in {} "
      "chunks, update digest {}",
      r, trained->num_examples, trained->train_loss, sealed->num_params, sealed->chunks.size(),
      digest_hex);

  // 5. Send it and hear what the aggregator made of it.
  auto status = session->Submit(*sealed, idle);
  if (!status.ok()) {
    if (status.status().reason() == "participant.stopping") return Status::Ok();
    spdlog::error("round {}: sending the update failed: {}", r, status.status().ToString());
    return Refuse(task, report, "submit failed: " + RefusalText(status.status()));
  }
  const bool digest_equal =
      crypto::ConstantTimeEqual(AsBytes(status->update_digest()), sealed->digest);
  const bool accepted = status->accepted() && digest_equal;
  if (status->accepted() && !digest_equal) {
    spdlog::error(
        "round {}: the aggregator accepted an update with digest {}, not this site's "
        "{}",
        r, HexEncode(AsBytes(status->update_digest())), digest_hex);
  } else if (!status->accepted()) {
    spdlog::error("round {}: the aggregator rejected this site's update: {}", r, status->reason());
  } else {
    spdlog::info("round {}: the aggregator accepted update {}", r, digest_hex);
  }
  RoundRecord& rec = rounds_[r];
  rec.receipt_public_key = agg.receipt_public_key;
  rec.update_digest = accepted ? sealed->digest : Bytes();
  rec.submitted = accepted;

  report.set_round(r);
  report.set_submitted(accepted);
  report.set_update_digest(ToString(sealed->digest));
  Metric({{"event", "task_done"},
          {"round", r},
          {"submitted", accepted},
          {"update_digest", digest_hex},
          {"eval_accuracy", report.eval_accuracy()},
          {"eval_loss", report.eval_loss()},
          {"train_loss", report.train_loss()},
          {"num_examples", trained->num_examples}});
  v1::Envelope env;
  *env.mutable_task_report() = std::move(report);
  return SendToCoordinator(std::move(env)).Wrap("sending TaskReport");
}

Result<ParticipantClient::Next> ParticipantClient::OnRoundOutcome(const v1::RoundOutcome& o) {
  const uint64_t r = o.round();
  auto it = rounds_.find(r);
  if (it == rounds_.end()) {
    spdlog::info("round {} committed without this site's update (log head {})", r,
                 Short(o.log_head()));
  } else {
    const RoundRecord& rec = it->second;
    std::string problem;
    auto receipt = federation::VerifyReceipt(AsBytes(o.receipt()), AsBytes(o.receipt_signature()),
                                             rec.receipt_public_key);
    if (!receipt.ok()) {
      problem = "the receipt does not verify under the receipt key attested in round " +
                std::to_string(r) + ": " + receipt.status().ToString();
    } else if (receipt->round() != r || receipt->federation_id() != federation_id_) {
      problem = "the receipt is for round " + std::to_string(receipt->round()) +
                " of federation '" + receipt->federation_id() + "'";
    } else if (federation::ComputeHead(receipt->previous_log_head(), AsBytes(o.receipt()),
                                       AsBytes(o.receipt_signature())) != o.log_head()) {
      problem = "the log head " + o.log_head() + " is not SHA-256(previous head " +
                receipt->previous_log_head() + " || SHA-256(receipt) || signature)";
    } else if (rec.submitted) {
      Status inc =
          federation::CheckReceiptIncludes(*receipt, s_.config.participant_id, rec.update_digest);
      if (!inc.ok()) problem = "the receipt does not list this site's update: " + inc.ToString();
    }
    if (!problem.empty()) {
      ++receipt_failures_;
      spdlog::error("receipt check FAILED for round {}: {}", r, problem);
      Metric({{"event", "receipt_failed"}, {"round", r}, {"problem", problem}});
    } else {
      if (rec.submitted) {
        spdlog::info("receipt verified: round {} includes my update {}", r,
                     HexEncode(rec.update_digest));
      } else {
        spdlog::info("receipt verified: round {} (this site's update was not accepted)", r);
      }
      Metric({{"event", "receipt_verified"},
              {"round", r},
              {"included", rec.submitted},
              {"log_head", o.log_head()}});
      FEDTEE_RETURN_IF_ERROR(s_.guard->Record(r, o.log_head(), federation_id_));
    }
    rounds_.erase(rounds_.begin(), std::next(it));
  }
  ++rounds_completed_;
  if (s_.config.max_rounds > 0 && rounds_completed_ >= s_.config.max_rounds) {
    spdlog::info("{} round(s) done (--max-rounds); leaving", rounds_completed_);
    return Next::kDone;
  }
  return Next::kContinue;
}

}  // namespace fedtee::participant
