// The participant's data-plane session with one round's aggregator: connect with the
// aggregator's CURVE key pinned (the key the RoundTask names), challenge it with this
// site's own fresh 32 random bytes, check the AttestResponse against this site's own policy
// (federation::CheckAttestResponse: verify, validate, key binding, pinned CURVE key), and
// only then stream the sealed update and wait for the aggregator's UpdateStatus.
//
// Nothing but the AttestRequest is sent before attestation succeeded; Submit refuses to run
// on a session that has not attested.
//
// Errors:
//   transport: UNAVAILABLE transport.send_timeout, PERMISSION_DENIED transport.auth_denied
//     (the aggregator's ZAP does not admit this site), UNAUTHENTICATED
//     transport.handshake_failed (the server does not hold the pinned key), ...
//   DEADLINE_EXCEEDED "aggregator.timeout"      no AttestResponse / UpdateStatus in time
//   FAILED_PRECONDITION "participant.stopping"  the idle callback asked to stop
//   FAILED_PRECONDITION "aggregator.not_attested"  Submit before a successful Attest
//   the aggregator's Error{code, message}: as UNAVAILABLE with reason = its code
//   CheckAttestResponse's: the verify reasons (attestation/errors.h), PERMISSION_DENIED
//     policy.rejected (every violation listed), attest.curve_key_mismatch, attest.bad_keys
// Thread-safety: not thread-safe; one round's client loop owns it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <zmq.hpp>

#include "attestation/policy.h"
#include "attestation/verify.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "federation/attested_aggregator.h"
#include "participant/update_sealer.h"
#include "proto/federation.pb.h"
#include "transport/curve_identity.h"
#include "transport/socket.h"

namespace fedtee::participant {

struct AggregatorSessionOptions {
  // Wait for the CURVE handshake (and the aggregator's ZAP verdict).
  std::chrono::milliseconds connect_timeout{10000};
  // Wait for the AttestResponse after sending the AttestRequest.
  std::chrono::milliseconds attest_timeout{10000};
  // Wait for the UpdateStatus after the last UpdateChunk.
  std::chrono::milliseconds update_status_timeout{60000};
  // Socket options (frame limit, send timeout, ...).
  transport::SocketOptions socket;
};

// Called about every 200 ms while waiting for the aggregator, so the caller can keep
// heartbeating the coordinator. Returning false aborts the wait ("participant.stopping").
using IdleCallback = std::function<bool()>;

class AggregatorSession {
 public:
  // Connects to `endpoint` pinning `aggregator_curve_key` (Z85) and waits for the
  // handshake. `context` and `identity` must outlive the session.
  static Result<AggregatorSession> Connect(zmq::context_t& context,
                                           const transport::CurveKeyPair& identity,
                                           const std::string& endpoint,
                                           const std::string& aggregator_curve_key,
                                           const AggregatorSessionOptions& options);

  // Sends AttestRequest{fresh 32-byte challenge} and checks the response against
  // `policy` (expected CURVE key = the pinned one). On success the attested keys are kept
  // for Submit and returned.
  Result<federation::AttestedAggregator> Attest(const attestation::Policy& policy,
                                                const attestation::VerifyOptions& verify_options,
                                                const Clock& clock, const IdleCallback& idle);

  // Sends UpdateStart and every UpdateChunk of `update`, then waits for the UpdateStatus of
  // that round and returns it (accepted or not: the caller compares digests).
  Result<v1::UpdateStatus> Submit(const SealedUpdate& update, const IdleCallback& idle);

  const std::string& endpoint() const { return endpoint_; }
  // The challenge sent by the last Attest (32 bytes).
  const Bytes& challenge() const { return challenge_; }

  AggregatorSession(AggregatorSession&&) noexcept = default;
  AggregatorSession& operator=(AggregatorSession&&) noexcept = default;

 private:
  AggregatorSession(transport::ClientSocket socket, std::string endpoint, std::string key,
                    AggregatorSessionOptions options)
      : socket_(std::move(socket)),
        endpoint_(std::move(endpoint)),
        pinned_key_(std::move(key)),
        options_(std::move(options)) {}

  // Waits up to `timeout` for an envelope whose body is `want` (other bodies are logged
  // and skipped; an Error body ends the wait with its code).
  Result<v1::Envelope> Await(v1::Envelope::BodyCase want, std::chrono::milliseconds timeout,
                             const IdleCallback& idle, const char* what);

  transport::ClientSocket socket_;
  std::string endpoint_;
  std::string pinned_key_;
  AggregatorSessionOptions options_;
  Bytes challenge_;
  bool attested_ = false;
};

// The TaskReport.refusal text for a failed attestation: "<reason>: <message>".
std::string RefusalText(const Status& status);

}  // namespace fedtee::participant
