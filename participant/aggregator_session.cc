#include "participant/aggregator_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "crypto/random.h"
#include "federation/envelope.h"

namespace fedtee::participant {
namespace {

using Clock_ = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPollSlice{200};
constexpr size_t kChallengeSize = 32;

}  // namespace

std::string RefusalText(const Status& status) { return status.reason() + ": " + status.message(); }

Result<AggregatorSession> AggregatorSession::Connect(zmq::context_t& context,
                                                     const transport::CurveKeyPair& identity,
                                                     const std::string& endpoint,
                                                     const std::string& aggregator_curve_key,
                                                     const AggregatorSessionOptions& options) {
  auto socket = transport::ClientSocket::Connect(context, identity, aggregator_curve_key, endpoint,
                                                 options.socket);
  if (!socket.ok()) return socket.status().Wrap("connecting to aggregator " + endpoint);
  Status s = socket->WaitConnected(options.connect_timeout);
  if (!s.ok()) return s.Wrap("connecting to aggregator " + endpoint);
  return AggregatorSession(std::move(socket).value(), endpoint, aggregator_curve_key, options);
}

Result<v1::Envelope> AggregatorSession::Await(v1::Envelope::BodyCase want,
                                              std::chrono::milliseconds timeout,
                                              const IdleCallback& idle, const char* what) {
  const auto deadline = Clock_::now() + timeout;
  while (true) {
    const auto now = Clock_::now();
    if (now >= deadline) {
      return Status::DeadlineExceeded(
          "aggregator.timeout", std::string("no ") + what + " from the aggregator at " + endpoint_ +
                                    " within " + std::to_string(timeout.count()) + " ms");
    }
    auto slice = std::min<std::chrono::milliseconds>(
        kPollSlice, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    auto msg = socket_.Receive(slice);
    if (!msg.ok()) return msg.status().Wrap("receiving from aggregator " + endpoint_);
    if (!msg->has_value()) {
      if (idle && !idle()) {
        return Status::FailedPrecondition("participant.stopping", "stop requested");
      }
      continue;
    }
    const std::vector<Bytes>& frames = **msg;
    if (frames.size() != 1) {
      spdlog::warn("aggregator sent a message of {} frames; ignored", frames.size());
      continue;
    }
    auto env = federation::Decode(frames[0]);
    if (!env.ok()) {
      spdlog::warn("aggregator sent an undecodable frame: {}", env.status().ToString());
      if (env.status().reason() == "protocol.version") return env.status();
      continue;
    }
    if (env->body_case() == v1::Envelope::kError) {
      return Status::Unavailable(
          env->error().code(),
          "the aggregator answered " + env->error().code() + ": " + env->error().message());
    }
    if (env->body_case() != want) {
      spdlog::debug("aggregator sent {} while waiting for {}; ignored", federation::BodyName(*env),
                    what);
      continue;
    }
    return std::move(env).value();
  }
}

Result<federation::AttestedAggregator> AggregatorSession::Attest(
    const attestation::Policy& policy, const attestation::VerifyOptions& verify_options,
    const Clock& clock, const IdleCallback& idle) {
  attested_ = false;
  challenge_ = crypto::RandomBytes(kChallengeSize);
  v1::Envelope req;
  req.mutable_attest_request()->set_challenge(ToString(challenge_));
  Status s = socket_.Send({ByteSpan(federation::Encode(req))});
  if (!s.ok()) return s.Wrap("sending AttestRequest to " + endpoint_);
  FEDTEE_ASSIGN_OR_RETURN(
      v1::Envelope resp,
      Await(v1::Envelope::kAttestResponse, options_.attest_timeout, idle, "AttestResponse"));
  auto attested = federation::CheckAttestResponse(resp.attest_response(), challenge_, policy,
                                                  verify_options, pinned_key_, clock);
  if (!attested.ok()) return attested.status();
  attested_ = true;
  return attested;
}

Result<v1::UpdateStatus> AggregatorSession::Submit(const SealedUpdate& update,
                                                   const IdleCallback& idle) {
  if (!attested_) {
    return Status::FailedPrecondition("aggregator.not_attested",
                                      "refusing to send an update to an unattested aggregator");
  }
  auto send = [&](v1::Envelope env) -> Status {
    Bytes frame = federation::Encode(std::move(env));
    return socket_.Send({ByteSpan(frame)});
  };
  v1::Envelope start;
  *start.mutable_update_start() = update.start;
  Status s = send(std::move(start));
  if (!s.ok()) return s.Wrap("sending UpdateStart to " + endpoint_);
  for (const v1::UpdateChunk& chunk : update.chunks) {
    v1::Envelope env;
    *env.mutable_update_chunk() = chunk;
    s = send(std::move(env));
    if (!s.ok()) {
      return s.Wrap("sending UpdateChunk " + std::to_string(chunk.index()) + " to " + endpoint_);
    }
  }
  const uint64_t round = update.start.round();
  const auto deadline = Clock_::now() + options_.update_status_timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock_::now());
    FEDTEE_ASSIGN_OR_RETURN(v1::Envelope env, Await(v1::Envelope::kUpdateStatus,
                                                    std::max(left, std::chrono::milliseconds(0)),
                                                    idle, "UpdateStatus"));
    if (env.update_status().round() != round) {
      spdlog::warn("aggregator sent an UpdateStatus for round {} while round {} is open; ignored",
                   env.update_status().round(), round);
      continue;
    }
    return env.update_status();
  }
}

}  // namespace fedtee::participant
