#include "coordinator/coordinator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "federation/envelope.h"
#include "federation/receipt.h"
#include "coordinator/model_init.h"
#include "model/safetensors.h"

namespace fedtee::coordinator {

using federation::Encode;
using federation::NowMs;

namespace {

constexpr char kControlDomain[] = "fedtee.participants";
constexpr char kAggregatorDomain[] = "fedtee.aggregator";

std::string Short(const std::string& hex) { return hex.substr(0, 16); }

}  // namespace

Coordinator::~Coordinator() {
  // Sockets close before the authenticator, the authenticator before the context.
  participants_.reset();
  aggregator_.reset();
  zap_.reset();
  context_.reset();
}

Result<std::unique_ptr<Coordinator>> Coordinator::Create(const FederationConfig& config,
                                                         federation::MetricsWriter* metrics) {
  std::unique_ptr<Coordinator> c(new Coordinator());
  c->config_ = config;
  c->metrics_ = metrics;

  auto identity = transport::CurveKeyPair::Load(config.identity);
  if (!identity.ok()) return identity.status().Wrap("coordinator identity " + config.identity.string());
  auto roster = transport::Roster::Load(config.roster);
  if (!roster.ok()) return roster.status().Wrap("roster");
  c->roster_ = std::move(roster).value();
  if (c->roster_.size() < config.min_participants) {
    return Status::InvalidArgument(
        "config.invalid", "the roster enrolls " + std::to_string(c->roster_.size()) +
                              " participants, fewer than min_participants " +
                              std::to_string(config.min_participants));
  }
  auto policy = attestation::LoadPolicyFile(config.policy);
  if (!policy.ok()) return policy.status().Wrap("aggregator attestation policy");
  c->policy_ = std::move(policy).value();
  auto vopts = federation::VerifyOptionsForPolicy(c->policy_);
  if (!vopts.ok()) return vopts.status().Wrap("policy trusted roots");
  c->verify_options_ = std::move(vopts).value();

  // Durable state: resume or start fresh.
  c->store_.emplace(config.checkpoint_dir);
  FEDTEE_RETURN_IF_ERROR(c->store_->Init());
  auto loaded = c->store_->Load(&c->model_bytes_);
  if (!loaded.ok()) return loaded.status().Wrap("checkpoint " + config.checkpoint_dir.string());
  if (loaded->has_value()) {
    c->state_ = **loaded;
    if (c->state_.federation_id != config.federation_id) {
      return Status::FailedPrecondition(
          "checkpoint.mismatch", config.checkpoint_dir.string() + " belongs to federation '" +
                                     c->state_.federation_id + "', not '" +
                                     config.federation_id + "'");
    }
    spdlog::info("resuming federation {} after committed round {} (log head {})",
                 config.federation_id, c->state_.last_committed_round, Short(c->state_.log_head));
  } else {
    FEDTEE_ASSIGN_OR_RETURN(c->model_bytes_, InitialModelBytes(config));
    c->state_.federation_id = config.federation_id;
    c->state_.model_sha256 = HexEncode(crypto::Sha256(c->model_bytes_));
    FEDTEE_RETURN_IF_ERROR(c->store_->InitFresh(c->state_, c->model_bytes_));
    spdlog::info("new federation {}: initial {} model with {} bytes written to {}",
                 config.federation_id, config.model.kind, c->model_bytes_.size(),
                 c->store_->round_model_path(0).string());
  }

  // Sockets.
  c->context_ = std::make_unique<zmq::context_t>(1);
  FEDTEE_ASSIGN_OR_RETURN(c->zap_, transport::ZapAuthenticator::Create(*c->context_));
  c->zap_->SetAllowed(kControlDomain, c->roster_.AllowlistMap());
  // Any key may reach the aggregator endpoint; nothing is trusted before the aggregator's
  // evidence verifies and binds the very key of that connection (docs/protocol.md).
  c->zap_->AllowAnyKey(kAggregatorDomain, "aggregator");
  transport::SocketOptions opts;
  opts.max_message_bytes = config.max_message_bytes;
  opts.heartbeat_timeout = std::chrono::milliseconds(config.heartbeat_timeout_seconds * 1000);
  auto psock = transport::ServerSocket::Bind(*c->context_, *c->zap_, *identity, kControlDomain,
                                             config.listen, opts);
  if (!psock.ok()) return psock.status().Wrap("binding participants endpoint " + config.listen);
  c->participants_.emplace(std::move(psock).value());
  auto asock = transport::ServerSocket::Bind(*c->context_, *c->zap_, *identity,
                                             kAggregatorDomain, config.aggregator_listen, opts);
  if (!asock.ok()) {
    return asock.status().Wrap("binding aggregator endpoint " + config.aggregator_listen);
  }
  c->aggregator_.emplace(std::move(asock).value());
  c->alive_ = std::make_unique<transport::PeerTracker>(
      std::chrono::milliseconds(config.heartbeat_timeout_seconds * 1000));
  spdlog::info("coordinator key {}; participants connect to {}, the aggregator to {}",
               identity->public_z85, c->participants_->bound_endpoint(),
               c->aggregator_->bound_endpoint());
  return c;
}

Status Coordinator::Run() {
  waiting_since_ms_ = NowMs();
  if (state_.last_committed_round >= config_.rounds) phase_ = Phase::kDone;
  while (phase_ != Phase::kDone && fatal_.ok()) {
    if (federation::StopRequested()) {
      // The federation is not over, so nobody is told to shut down: participants keep
      // waiting and re-join, and the aggregator is attested again, when a restarted
      // coordinator resumes after the last committed round.
      spdlog::info("stopping; participants and the aggregator stay up for a restart to resume "
                   "after committed round {}",
                   state_.last_committed_round);
      return Status::FailedPrecondition("coordinator.stopped",
                                        "stopped by signal after committed round " +
                                            std::to_string(state_.last_committed_round));
    }
    Poll(100);
    Tick();
  }
  if (!fatal_.ok()) {
    Shutdown("federation failed: " + fatal_.message());
    return fatal_;
  }
  Shutdown("all " + std::to_string(config_.rounds) + " rounds committed");
  spdlog::info("federation {} done: {} rounds committed; model {}; round log {}",
               config_.federation_id, state_.last_committed_round,
               store_->model_path().string(), store_->log_path().string());
  return Status::Ok();
}

void Coordinator::Poll(int timeout_ms) {
  zmq::pollitem_t items[] = {
      {participants_->socket_ref().handle(), 0, ZMQ_POLLIN, 0},
      {aggregator_->socket_ref().handle(), 0, ZMQ_POLLIN, 0},
  };
  try {
    zmq::poll(items, 2, std::chrono::milliseconds(timeout_ms));
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) spdlog::error("poll: {}", e.what());
    return;
  }
  // Drain what is there, bounded so one busy peer cannot starve the timers.
  for (int i = 0; i < 256; ++i) {
    auto m = participants_->Receive(std::chrono::milliseconds(0));
    if (!m.ok()) {
      spdlog::error("participants socket: {}", m.status().ToString());
      break;
    }
    if (!m->has_value()) break;
    HandleParticipant(**m);
  }
  for (int i = 0; i < 256; ++i) {
    auto m = aggregator_->Receive(std::chrono::milliseconds(0));
    if (!m.ok()) {
      spdlog::error("aggregator socket: {}", m.status().ToString());
      break;
    }
    if (!m->has_value()) break;
    HandleAggregator(**m);
  }
}

void Coordinator::ReplyError(transport::ServerSocket& sock, const Bytes& routing_id,
                             const Status& s) {
  Bytes frame = federation::EncodeError(s);
  (void)sock.Send(routing_id, {ByteSpan(frame)});
}

void Coordinator::SendToParticipant(const std::string& id, Bytes frame) {
  auto it = members_.find(id);
  if (it == members_.end() || !it->second.joined) return;
  Status s = participants_->Send(it->second.routing_id, {ByteSpan(frame)});
  if (!s.ok()) spdlog::warn("sending to participant {}: {}", id, s.ToString());
}

Status Coordinator::SendToAggregator(Bytes frame) {
  if (!aggregator_link_) return Status::Unavailable("aggregator.absent", "no aggregator");
  return aggregator_->Send(aggregator_link_->routing_id, {ByteSpan(frame)});
}

std::vector<std::string> Coordinator::AliveMembers() const {
  std::vector<std::string> out;
  for (const auto& [id, m] : members_) {
    if (m.joined && alive_->Alive(id)) out.push_back(id);
  }
  return out;  // sorted: std::map order
}

uint64_t Coordinator::TrainSeed(const std::string& participant_id) const {
  // Deterministic per (federation seed, round, participant): FNV-1a over the id.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : participant_id) h = (h ^ ch) * 1099511628211ull;
  return config_.seed * 0x9E3779B97F4A7C15ull ^ (run_.round << 32) ^ h;
}

void Coordinator::Shutdown(const std::string& reason) {
  v1::Envelope env;
  env.mutable_shutdown()->set_reason(reason);
  Bytes frame = Encode(env);
  for (const auto& [id, m] : members_) {
    if (m.joined) (void)participants_->Send(m.routing_id, {ByteSpan(frame)});
  }
  if (aggregator_link_) (void)aggregator_->Send(aggregator_link_->routing_id, {ByteSpan(frame)});
  // Give libzmq a moment to flush before the sockets close (linger is bounded too). Poll
  // returns at the first incoming message, so keep polling for the whole moment: closing
  // within a millisecond of the last sends lost the final RoundOutcome and Shutdown
  // (tests/federation_replay_test.cc saw it in about one run in three).
  for (uint64_t until = NowMs() + 200; NowMs() < until;) Poll(50);
}

}  // namespace fedtee::coordinator
