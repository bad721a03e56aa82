#include "aggregator/service.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "crypto/digest.h"
#include "federation/envelope.h"
#include "federation/receipt.h"
#include "model/safetensors.h"

namespace fedtee::aggregator {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes a PayloadChunk envelope adds around its data (stream name, index, flags, tags).
constexpr size_t kChunkEnvelopeOverhead = 512;

Bytes UpdateStatusFrame(uint64_t round, const std::string& id, bool accepted,
                        const std::string& reason, ByteSpan digest) {
  v1::Envelope env;
  auto* s = env.mutable_update_status();
  s->set_round(round);
  s->set_participant_id(id);
  s->set_accepted(accepted);
  s->set_reason(reason);
  s->set_update_digest(digest.data(), digest.size());
  return federation::Encode(std::move(env));
}

}  // namespace

Service::Service(ServiceOptions options, std::unique_ptr<EnclaveKeys> keys,
                 std::unique_ptr<attestation::Attester> attester,
                 federation::MetricsWriter* metrics)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      attester_(std::move(attester)),
      metrics_(metrics) {}

Service::~Service() {
  if (pool_) pool_->Drain();
  pool_.reset();     // workers joined: nothing else holds a stream
  streams_.clear();  // aborts staged updates before the strategy goes
  if (verdict_fd_ >= 0) close(verdict_fd_);
}

Result<std::unique_ptr<Service>> Service::Create(ServiceOptions options,
                                                 std::unique_ptr<EnclaveKeys> keys,
                                                 std::unique_ptr<attestation::Attester> attester,
                                                 federation::MetricsWriter* metrics) {
  if (!keys || !attester) {
    return Status::InvalidArgument("config.missing", "keys and an attester are required");
  }
  if (options.coordinator_endpoint.empty()) {
    return Status::InvalidArgument("config.missing", "the coordinator endpoint is required");
  }
  FEDTEE_RETURN_IF_ERROR(transport::ValidateEndpoint(options.coordinator_endpoint));
  FEDTEE_RETURN_IF_ERROR(
      transport::ValidateZ85Key(options.coordinator_key).Wrap("the coordinator key"));
  if (options.chunk_bytes == 0 ||
      options.chunk_bytes + kChunkEnvelopeOverhead > options.max_message_bytes) {
    return Status::InvalidArgument("config.chunk_bytes",
                                   "chunk bytes must be > 0 and leave " +
                                       std::to_string(kChunkEnvelopeOverhead) +
                                       " bytes of room under the max message bytes");
  }
  std::unique_ptr<Service> s(
      new Service(std::move(options), std::move(keys), std::move(attester), metrics));
  const ServiceOptions& o = s->options_;
  transport::SocketOptions sock = o.socket;
  sock.max_message_bytes = o.max_message_bytes;

  FEDTEE_ASSIGN_OR_RETURN(s->zap_, transport::ZapAuthenticator::Create(s->context_));
  s->zap_->SetAllowed(kDataZapDomain, {});  // nobody until a round opens
  FEDTEE_ASSIGN_OR_RETURN(auto data,
                          transport::ServerSocket::Bind(s->context_, *s->zap_, s->keys_->curve(),
                                                        kDataZapDomain, o.listen, sock));
  s->data_.emplace(std::move(data));
  FEDTEE_ASSIGN_OR_RETURN(auto control, transport::ClientSocket::Connect(
                                            s->context_, s->keys_->curve(), o.coordinator_key,
                                            o.coordinator_endpoint, sock));
  s->control_.emplace(std::move(control));
  s->advertised_ = o.advertise.empty() ? s->data_->bound_endpoint() : o.advertise;
  s->verdict_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s->verdict_fd_ < 0) {
    return Status::Internal("config.eventfd", std::string("eventfd: ") + std::strerror(errno));
  }
  s->pool_ = std::make_unique<IngestPool>(o.ingest_threads != 0 ? o.ingest_threads
                                                                : DefaultIngestThreads());
  return s;
}

Status Service::Run(const std::function<bool()>& stop) {
  spdlog::info("data plane on {} (advertised {}), CURVE key {}", data_->bound_endpoint(),
               advertised_, keys_->curve_public_z85());
  spdlog::info("control plane to the coordinator at {}", options_.coordinator_endpoint);
  spdlog::info("{} ingest threads", pool_->threads());
  auto next_heartbeat = Clock::now();
  while (!stop() && !shutdown_requested_) {
    const auto now = Clock::now();
    if (now >= next_heartbeat) {
      next_heartbeat = now + options_.heartbeat_interval;
      // Only when connected: a Send would otherwise wait for send_timeout and stall the loop.
      if (control_->WaitConnected(std::chrono::milliseconds(0)).ok()) {
        v1::Envelope env;
        env.mutable_heartbeat()->set_sent_at_ms(federation::NowMs());
        SendControl(federation::Encode(std::move(env)));
      }
    }
    ExpireIdleStreams();

    zmq::pollitem_t items[] = {
        {control_->socket_ref().handle(), 0, ZMQ_POLLIN, 0},
        {data_->socket_ref().handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, verdict_fd_, ZMQ_POLLIN, 0},
    };
    auto wait = std::min(
        options_.poll_interval,
        std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat - Clock::now()));
    if (wait.count() < 0) wait = std::chrono::milliseconds(0);
    try {
      zmq::poll(items, 3, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a signal: re-check stop()
      return Status::Internal("transport.zmq", std::string("poll failed: ") + e.what());
    }
    TakeVerdicts();
    // Drain a bounded batch from each socket so neither starves the other.
    for (int i = 0; i < 64 && (items[0].revents & ZMQ_POLLIN); ++i) {
      auto msg = control_->Receive(std::chrono::milliseconds(0));
      if (!msg.ok()) return msg.status().Wrap("control plane");
      if (!msg->has_value()) break;
      for (const Bytes& frame : **msg) OnControlFrame(frame);
      if (shutdown_requested_) break;
    }
    for (int i = 0; i < 64 && (items[1].revents & ZMQ_POLLIN); ++i) {
      auto msg = data_->Receive(std::chrono::milliseconds(0));
      if (!msg.ok()) return msg.status().Wrap("data plane");
      if (!msg->has_value()) break;
      OnDataMessage(std::move(**msg));
    }
  }
  SettleIngest();
  CloseAllStreams("round.closed", "the aggregator is shutting down");
  spdlog::info("aggregator stopped");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Control plane

void Service::SendControl(Bytes frame) {
  Status s = control_->Send({ByteSpan(frame)});
  if (!s.ok()) spdlog::warn("could not send to the coordinator: {}", s.ToString());
}

void Service::SendControlError(const Status& s) {
  spdlog::warn("refused coordinator message: {}", s.ToString());
  SendControl(federation::EncodeError(s));
}

void Service::OnControlFrame(ByteSpan frame) {
  auto env = federation::Decode(frame);
  if (!env.ok()) {
    SendControlError(env.status());
    return;
  }
  switch (env->body_case()) {
    case v1::Envelope::kHeartbeat:
      return;
    case v1::Envelope::kAttestRequest:
      OnAttestRequest(env->attest_request(), [this](Bytes f) { SendControl(std::move(f)); });
      return;
    case v1::Envelope::kRoundOpen:
      OnRoundOpen(env->round_open());
      return;
    case v1::Envelope::kPayloadChunk:
      OnModelChunk(env->payload_chunk());
      return;
    case v1::Envelope::kFinalize:
      OnFinalize(env->finalize());
      return;
    case v1::Envelope::kShutdown:
      spdlog::info("the coordinator asked to shut down: {}", env->shutdown().reason());
      shutdown_requested_ = true;
      return;
    case v1::Envelope::kError:
      spdlog::warn("the coordinator reported an error: {} {}", env->error().code(),
                   env->error().message());
      return;
    default:
      SendControlError(Status::InvalidArgument(
          "protocol.unexpected",
          "the aggregator does not take " + federation::BodyName(*env) + " from the coordinator"));
  }
}

void Service::OnAttestRequest(const v1::AttestRequest& req,
                              const std::function<void(Bytes)>& reply) {
  auto resp = BuildAttestResponse(*keys_, *attester_, AsBytes(req.challenge()), advertised_);
  if (!resp.ok()) {
    spdlog::warn("attestation request refused: {}", resp.status().ToString());
    reply(federation::EncodeError(resp.status()));
    return;
  }
  v1::Envelope env;
  *env.mutable_attest_response() = std::move(resp).value();
  reply(federation::Encode(std::move(env)));
}

void Service::OnRoundOpen(const v1::RoundOpen& open) {
  SettleIngest();  // verdicts of chunks that came before this message apply first
  refused_model_stream_ = "model/" + std::to_string(open.round());  // cleared on success
  if (open.model_bytes() > options_.max_model_bytes) {
    SendControlError(Status::OutOfRange("round.model_too_large",
                                        "model of " + std::to_string(open.model_bytes()) +
                                            " bytes exceeds --max-model-bytes " +
                                            std::to_string(options_.max_model_bytes)));
    return;
  }
  const size_t in_flight = options_.max_in_flight != 0
                               ? options_.max_in_flight
                               : static_cast<size_t>(std::max(1, open.participants_size()));
  std::map<std::string, double> params(open.strategy_params().begin(),
                                       open.strategy_params().end());
  // Strategy state across rounds (optimiser moments, adaptive clip norm) continues from
  // the previous round's strategy; the round number feeds the DP accountant (fedavg.h).
  auto strategy = MakeStrategy(open.strategy(), params, in_flight, {strategy_.get(), open.round()});
  if (!strategy.ok()) {
    SendControlError(strategy.status());
    return;
  }
  if (Status s = round_.Open(open); !s.ok()) {
    if (s.reason() == "round.rollback") spdlog::error("ROLLBACK REFUSED: {}", s.message());
    SendControlError(s);
    return;
  }
  // The previous round is over: nothing staged for it survives.
  CloseAllStreams("round.closed", "round " + std::to_string(open.round()) + " was opened");
  refused_model_stream_.clear();
  shared_strategy_.reset();
  strategy_ = std::move(strategy).value();
  shared_strategy_.emplace(*strategy_);
  global_ = model::ModelParams();
  layout_ = ModelLayout();
  finalized_.reset();
  zap_->SetAllowed(kDataZapDomain, round_.Allowlist());
  model_in_.emplace("model/" + std::to_string(open.round()), open.model_bytes(),
                    options_.max_model_bytes);
  spdlog::info("round {} opened: {} participants, min {}, strategy {}, model {} bytes",
               open.round(), open.participants_size(), open.min_participants(), strategy_->name(),
               open.model_bytes());
}

void Service::OnModelChunk(const v1::PayloadChunk& chunk) {
  SettleIngest();
  if (!model_in_ && chunk.stream() == refused_model_stream_) {
    spdlog::debug("dropping chunk {} of {} (its RoundOpen was refused)", chunk.index(),
                  chunk.stream());
    return;
  }
  if (!model_in_) {
    SendControlError(Status::FailedPrecondition(
        "payload.unexpected", "no model stream is expected now (got '" + chunk.stream() + "')"));
    return;
  }
  auto done = model_in_->Add(chunk);
  if (!done.ok()) {
    refused_model_stream_ = model_in_->stream();  // drop the rest of it quietly
    model_in_.reset();
    round_.MarkFailed();
    SendControlError(done.status().Wrap("global model"));
    return;
  }
  if (!*done) return;
  Bytes bytes = model_in_->Take();
  model_in_.reset();
  if (Status s = TakeGlobalModel(std::move(bytes)); !s.ok()) {
    round_.MarkFailed();
    SendControlError(s);
    return;
  }
  round_.MarkCollecting();
  spdlog::info("round {}: global model received ({} tensors, {} values); collecting updates",
               round_.config().round, global_.size(), layout_.num_params);
  v1::Envelope ready;
  ready.mutable_round_ready()->set_round(round_.config().round);
  SendControl(federation::Encode(std::move(ready)));
}

Status Service::TakeGlobalModel(Bytes safetensors) {
  const RoundConfig& c = round_.config();
  if (!crypto::ConstantTimeEqual(crypto::Sha256(safetensors), c.model_sha256)) {
    return Status::Corruption("round.model_digest_mismatch",
                              "the global model's SHA-256 is not RoundOpen.model_sha256");
  }
  model::SafetensorsMetadata metadata;
  auto params = model::ParseSafetensors(safetensors, &metadata);
  if (!params.ok()) {
    return Status::Corruption("round.bad_model", "the global model is not valid safetensors: " +
                                                     params.status().ToString());
  }
  if (Status s = params->CheckFinite(); !s.ok()) {
    return Status::Corruption("round.bad_model", s.message());
  }
  if (params->empty() || params->total_params() == 0) {
    return Status::Corruption("round.bad_model", "the global model has no parameters");
  }
  global_ = std::move(params).value();
  global_metadata_ = std::move(metadata);
  layout_.num_params = global_.total_params();
  layout_.tensor_names.clear();
  for (const auto& t : global_.tensors()) layout_.tensor_names.push_back(t.name);
  strategy_->Reset(global_.Flatten());
  return Status::Ok();
}

void Service::OnFinalize(const v1::Finalize& fin) {
  SettleIngest();  // every chunk received before Finalize counts, as it always did
  if (finalized_ && finalized_->round == fin.round()) {
    spdlog::info("round {}: Finalize repeated; sending the same result again", fin.round());
    if (Status s = SendFinalized(*finalized_); !s.ok()) SendControlError(s);
    return;
  }
  if (!round_.has_round() || fin.round() != round_.config().round) {
    SendControlError(Status::FailedPrecondition(
        "round.wrong_round",
        "Finalize for round " + std::to_string(fin.round()) +
            (round_.has_round() ? ", the open round is " + std::to_string(round_.config().round)
                                : ", no round is open")));
    return;
  }
  if (round_.phase() != RoundPhase::kCollecting) {
    SendControlError(Status::FailedPrecondition(
        "round.not_ready",
        "round " + std::to_string(fin.round()) + " has no checked global model"));
    return;
  }
  const RoundConfig& c = round_.config();
  const size_t accepted = strategy_->committed_updates();
  if (accepted < c.min_participants) {
    spdlog::warn("round {}: only {} of the required {} updates accepted; releasing nothing",
                 c.round, accepted, c.min_participants);
    if (metrics_) {
      metrics_->Write({{"event", "round"},
                       {"round", c.round},
                       {"released", false},
                       {"accepted", accepted},
                       {"rejected", round_.rejected_count()},
                       {"min_participants", c.min_participants}});
    }
    SendControlError(Status::FailedPrecondition(
        "round.too_few_updates", std::to_string(accepted) + " updates accepted, at least " +
                                     std::to_string(c.min_participants) + " required"));
    return;  // the round stays open: more updates may still come
  }
  // Streams still in flight missed the round.
  CloseAllStreams("round.closed", "round " + std::to_string(c.round) + " was finalized");

  auto values = strategy_->Finalize();
  if (!values.ok()) {
    SendControlError(values.status());
    return;
  }
  model::ModelParams next = global_;
  if (Status s = next.Unflatten(*values); !s.ok()) {
    SendControlError(Status::Internal("aggregate.failed", s.ToString()));
    return;
  }
  FinalizedRound done;
  done.round = c.round;
  // The aggregate keeps the global model's metadata (model spec, federation): the released
  // model stays self-describing for users and `fedtee model evaluate`.
  done.model = model::SerializeSafetensors(next, global_metadata_);

  v1::Receipt receipt;
  receipt.set_federation_id(c.federation_id);
  receipt.set_round(c.round);
  receipt.set_strategy(strategy_->name());
  for (const auto& [k, v] : strategy_->params()) (*receipt.mutable_strategy_params())[k] = v;
  const Bytes model_digest = crypto::Sha256(done.model);
  receipt.set_model_sha256(ToString(model_digest));
  receipt.set_previous_model_sha256(ToString(c.model_sha256));
  for (const ParticipantRecord* r : round_.Accepted()) {
    auto* e = receipt.add_entries();
    e->set_participant_id(r->id);
    e->set_update_digest(ToString(r->digest));
    e->set_num_examples(r->num_examples);
  }
  receipt.set_previous_log_head(c.log_head);
  receipt.set_min_participants(c.min_participants);
  const Bytes receipt_bytes = federation::SerializeReceipt(receipt);
  auto signature = keys_->receipt_key().Sign(receipt_bytes);
  if (!signature.ok()) {
    SendControlError(Status::Internal("aggregate.failed",
                                      "signing the receipt: " + signature.status().ToString()));
    return;
  }
  v1::Envelope env;
  auto* rr = env.mutable_round_result();
  rr->set_round(c.round);
  rr->set_receipt(ToString(receipt_bytes));
  rr->set_receipt_signature(ToString(*signature));
  rr->set_model_bytes(done.model.size());
  done.result_frame = federation::Encode(std::move(env));

  round_.MarkFinalized();
  finalized_ = std::move(done);
  spdlog::info("round {} finalized: {} updates ({} examples), new model sha256 {}", c.round,
               accepted, strategy_->committed_examples(), HexEncode(model_digest));
  if (metrics_) {
    metrics_->Write({{"event", "round"},
                     {"round", c.round},
                     {"released", true},
                     {"accepted", accepted},
                     {"rejected", round_.rejected_count()},
                     {"examples", strategy_->committed_examples()},
                     {"model_sha256", HexEncode(model_digest)},
                     {"model_bytes", finalized_->model.size()}});
  }
  if (Status s = SendFinalized(*finalized_); !s.ok()) {
    spdlog::warn("round {}: sending the result failed ({}); a repeated Finalize resends it",
                 c.round, s.ToString());
  }
}

Status Service::SendFinalized(const FinalizedRound& done) {
  FEDTEE_RETURN_IF_ERROR(control_->Send({ByteSpan(done.result_frame)}));
  return federation::SendPayload("aggregate/" + std::to_string(done.round), done.model,
                                 options_.chunk_bytes,
                                 [this](Bytes frame) { return control_->Send({ByteSpan(frame)}); });
}

// ---------------------------------------------------------------------------------------
// Data plane

void Service::SendData(ByteSpan routing_id, Bytes frame) {
  Status s = data_->Send(routing_id, {ByteSpan(frame)});
  if (!s.ok()) spdlog::debug("reply to a participant not delivered: {}", s.ToString());
}

void Service::OnDataMessage(transport::Incoming in) {
  auto refuse = [&](const Status& s) {
    spdlog::warn("refused message from '{}': {}", in.peer_id, s.ToString());
    SendData(in.routing_id, federation::EncodeError(s));
  };
  if (in.frames.size() != 1) {
    refuse(Status::Corruption("protocol.malformed", "expected one frame per message"));
    return;
  }
  auto env = federation::Decode(in.frames[0]);
  if (!env.ok()) {
    refuse(env.status());
    return;
  }
  // ZAP admits per connection; a connection from an earlier round's set may still be open.
  if (!round_.has_round() || round_.FindAuthenticated(in.peer_id, in.peer_key) == nullptr) {
    refuse(Status::PermissionDenied("auth.not_in_round",
                                    "'" + in.peer_id + "' is not in the current round's set"));
    return;
  }
  switch (env->body_case()) {
    case v1::Envelope::kHeartbeat:
      return;
    case v1::Envelope::kAttestRequest:
      OnAttestRequest(env->attest_request(),
                      [&](Bytes f) { SendData(in.routing_id, std::move(f)); });
      return;
    case v1::Envelope::kUpdateStart:
      OnUpdateStart(in, env->update_start());
      return;
    case v1::Envelope::kUpdateChunk:
      OnUpdateChunk(in, std::move(*env->mutable_update_chunk()));
      return;
    default:
      refuse(Status::InvalidArgument(
          "protocol.unexpected",
          "the aggregator does not take " + federation::BodyName(*env) + " from participants"));
  }
}

void Service::OnUpdateStart(const transport::Incoming& in, const v1::UpdateStart& start) {
  auto refuse = [&](const Status& s) {
    spdlog::warn("refused UpdateStart from '{}': {}", in.peer_id, s.ToString());
    if (metrics_) {
      metrics_->Write({{"event", "update_refused"},
                       {"round", start.round()},
                       {"participant", in.peer_id},
                       {"reason", s.reason()}});
    }
    SendData(in.routing_id, federation::EncodeError(s));
  };
  if (start.participant_id() != in.peer_id) {
    refuse(Status::PermissionDenied(
        "auth.id_mismatch", "UpdateStart names '" + start.participant_id() +
                                "' but the connection authenticated as '" + in.peer_id + "'"));
    return;
  }
  // A new start replaces a failed stream whose leftover chunks were being drained; the
  // verdicts of that peer's queued chunks are applied first, so it is known whether it failed.
  if (auto it = streams_.find(in.peer_id); it != streams_.end() && it->second.pending > 0) {
    SettleIngest();
  }
  if (auto it = streams_.find(in.peer_id); it != streams_.end() && it->second.failed) {
    EraseStream(it);
  }
  if (Status s = round_.CheckUpdateStart(start.federation_id(), start.round(), in.peer_id);
      !s.ok()) {
    refuse(s);
    return;
  }
  const RoundConfig& c = round_.config();
  IngestContext ctx{c.federation_id, c.round, in.peer_id, c.max_examples_per_update};
  auto ingest = UpdateIngest::Begin(keys_->hpke(), AsBytes(start.enc()), std::move(ctx), layout_,
                                    *shared_strategy_);
  if (!ingest.ok()) {
    refuse(ingest.status());
    return;
  }
  const auto now = Clock::now();
  Stream stream{std::shared_ptr<UpdateIngest>(std::move(ingest).value()), in.routing_id, now, now};
  stream.serial = next_stream_serial_++;
  stream.lane = pool_->AssignLane();
  if (auto it = streams_.find(in.peer_id); it != streams_.end()) EraseStream(it);
  streams_[in.peer_id] = std::move(stream);
  round_.MarkInFlight(in.peer_id);
  spdlog::debug("round {}: update stream from '{}' started", c.round, in.peer_id);
}

void Service::OnUpdateChunk(const transport::Incoming& in, v1::UpdateChunk chunk) {
  auto it = streams_.find(in.peer_id);
  // A stream whose final chunk was posted ends with that chunk's verdict (as if it had been
  // applied already): nothing more belongs to it.
  if (it == streams_.end() || it->second.final_seen) {
    spdlog::warn("chunk from '{}' without a stream", in.peer_id);
    SendData(in.routing_id, federation::EncodeError("update.no_stream",
                                                    "no update stream is open for '" + in.peer_id +
                                                        "': send UpdateStart first"));
    return;
  }
  Stream& stream = it->second;
  if (stream.failed) {
    // Leftovers of a rejected stream: the verdict was sent already.
    if (chunk.final()) stream.final_seen = true;
    if (stream.final_seen && stream.pending == 0) EraseStream(it);
    return;
  }
  stream.routing_id = in.routing_id;
  stream.last_activity = Clock::now();
  stream.final_seen = chunk.final();
  ++stream.pending;
  // The worker owning the stream opens the chunk; its verdict comes back to this thread.
  auto task = [this, ingest = stream.ingest, id = in.peer_id, serial = stream.serial,
               chunk = std::make_shared<v1::UpdateChunk>(std::move(chunk))]() mutable {
    ChunkVerdict v{std::move(id), serial, chunk->final(), ingest->AddChunk(*chunk)};
    chunk.reset();  // the ciphertext goes before the verdict is seen
    {
      std::lock_guard lock(verdicts_mu_);
      verdicts_.push_back(std::move(v));
    }
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(verdict_fd_, &one, sizeof(one));
  };
  pool_->Post(stream.lane, std::move(task));
}

void Service::TakeVerdicts() {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = read(verdict_fd_, &count, sizeof(count));
  std::vector<ChunkVerdict> batch;
  {
    std::lock_guard lock(verdicts_mu_);
    batch.swap(verdicts_);
  }
  for (ChunkVerdict& v : batch) ApplyVerdict(std::move(v));
}

void Service::SettleIngest() {
  if (!pool_) return;
  pool_->Drain();
  TakeVerdicts();
}

void Service::ApplyVerdict(ChunkVerdict v) {
  auto it = streams_.find(v.participant_id);
  if (it == streams_.end() || it->second.serial != v.serial) return;  // closed meanwhile
  Stream& stream = it->second;
  --stream.pending;
  if (!v.done.ok()) {
    // The first error rejects the stream; chunks queued behind it repeat that error.
    if (!stream.failed) {
      stream.failed = true;
      Reject(v.participant_id, stream, v.done.status());
    }
    if (stream.final_seen && stream.pending == 0) EraseStream(it);
    return;
  }
  if (*v.done) {
    Accept(v.participant_id, stream);
    EraseStream(it);
  }
}

void Service::EraseStream(std::map<std::string, Stream>::iterator it) {
  pool_->ReleaseLane(it->second.lane);
  streams_.erase(it);
}

void Service::Accept(const std::string& participant_id, Stream& stream) {
  const UpdateIngest& u = *stream.ingest;
  const uint64_t round = u.context().round;
  round_.MarkAccepted(participant_id, u.digest(), u.num_examples());
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stream.started);
  spdlog::info(
      "round {}: update of '{}' accepted ({} examples, {} chunks, {} bytes, {} ms), "
      "digest {}",
      round, participant_id, u.num_examples(), u.chunks_received(), u.ciphertext_bytes(),
      ms.count(), HexEncode(u.digest()));
  if (metrics_) {
    metrics_->Write({{"event", "update"},
                     {"round", round},
                     {"participant", participant_id},
                     {"accepted", true},
                     {"digest", HexEncode(u.digest())},
                     {"num_examples", u.num_examples()},
                     {"bytes", u.ciphertext_bytes()},
                     {"ms", ms.count()}});
  }
  Bytes frame = UpdateStatusFrame(round, participant_id, true, "", u.digest());
  SendData(stream.routing_id, frame);
  SendControl(std::move(frame));
}

void Service::Reject(const std::string& participant_id, Stream& stream, const Status& why) {
  const uint64_t round = stream.ingest->context().round;
  // A stream of an earlier round closed by RoundOpen must not mark the new round's record.
  if (round_.has_round() && round_.config().round == round) {
    round_.MarkRejected(participant_id, why.reason());
  }
  spdlog::warn("round {}: update of '{}' rejected: {}", round, participant_id, why.ToString());
  if (metrics_) {
    metrics_->Write({{"event", "update"},
                     {"round", round},
                     {"participant", participant_id},
                     {"accepted", false},
                     {"reason", why.reason()},
                     {"bytes", stream.ingest->ciphertext_bytes()}});
  }
  Bytes frame = UpdateStatusFrame(round, participant_id, false, why.reason(), {});
  SendData(stream.routing_id, frame);
  SendControl(std::move(frame));
}

void Service::CloseAllStreams(const std::string& reason, const std::string& message) {
  SettleIngest();  // nothing of these streams is still running on a worker
  for (auto& [id, stream] : streams_) {
    if (!stream.failed) {
      Reject(id, stream, Status::FailedPrecondition(reason, message));
    }
    pool_->ReleaseLane(stream.lane);
  }
  streams_.clear();
}

void Service::ExpireIdleStreams() {
  const auto now = Clock::now();
  for (auto it = streams_.begin(); it != streams_.end();) {
    // A stream with chunks still queued on a worker is not idle.
    if (now - it->second.last_activity < options_.stream_idle_timeout || it->second.pending > 0) {
      ++it;
      continue;
    }
    if (!it->second.failed) {
      Reject(it->first, it->second,
             Status::DeadlineExceeded(
                 "update.timeout",
                 "no chunk for " + std::to_string(options_.stream_idle_timeout.count()) + " ms"));
    }
    pool_->ReleaseLane(it->second.lane);
    it = streams_.erase(it);
  }
}

}  // namespace fedtee::aggregator
