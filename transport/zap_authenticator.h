// A ZAP handler (ZeroMQ RFC 27) that admits CURVE clients by public key.
//
// libzmq asks the handler bound at inproc://zeromq.zap.01 in a socket's context whether a
// client that completed the CURVE handshake may connect. This handler answers from an
// allowlist per ZAP domain (ZMQ_ZAP_DOMAIN of the server socket): Z85 public key ->
// participant id. An admitted client gets status 200 with User-Id = its participant id and
// the metadata property "X-Curve-Key" = its Z85 key, so that every message it sends carries
// both (zmq_msg_gets; ServerSocket fills Incoming::peer_id and peer_key from them). Anything
// else (unknown domain, unknown key, a mechanism other than CURVE, a malformed request) gets
// 400 and a warning with the key; public keys are not secret.
//
// Admission is decided once per connection, at handshake time: Revoke stops new connections
// of that key but does not cut one already established (close or ignore it above). A client
// refused once does not retry by itself (libzmq ends its session); after Allow it must
// connect again with a new ClientSocket.
//
// IMPORTANT: libzmq admits every CURVE client when no handler is bound in the context, so a
// ServerSocket requires a live ZapAuthenticator of its context (see socket.h). Only one
// handler can be bound per context.
//
// Lifetime: create after the context and destroy before it (declare the context first).
// The destructor stops and joins the handler thread.
//
// Thread-safety: SetAllowed, Allow, Revoke, IsAllowed and the counters may be called from
// any thread, also while the handler is serving.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "base/status.h"

namespace fedtee::transport {

// The endpoint libzmq sends ZAP requests to.
inline constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
// The metadata property carrying the client's Z85 public key on admitted connections.
inline constexpr const char* kCurveKeyProperty = "X-Curve-Key";

class ZapAuthenticator {
 public:
  // Binds the handler in `context` and starts its thread. FAILED_PRECONDITION
  // "transport.zap_in_use" if a handler is already bound in this context; INTERNAL
  // "transport.zap_start" for other failures. `context` must outlive the authenticator.
  static Result<std::unique_ptr<ZapAuthenticator>> Create(zmq::context_t& context);

  ~ZapAuthenticator();
  ZapAuthenticator(const ZapAuthenticator&) = delete;
  ZapAuthenticator& operator=(const ZapAuthenticator&) = delete;

  // Replaces the allowlist of `domain` (Z85 key -> participant id). An empty map admits
  // nobody in that domain. Keys are taken as given (validate them, e.g. through Roster).
  void SetAllowed(const std::string& domain, std::map<std::string, std::string> key_to_id);
  // Admits `key` as participant `id` in `domain` (replacing an earlier id for that key).
  void Allow(const std::string& domain, const std::string& key, const std::string& id);
  // Stops admitting `key` in `domain` from the next handshake on.
  void Revoke(const std::string& domain, const std::string& key);
  // Admits every CURVE client in `domain` as `id` (keys listed with Allow keep their own
  // ids). Only for endpoints whose peers are authenticated otherwise: the coordinator's
  // aggregator endpoint, where nothing is trusted before the aggregator's evidence binds
  // the key of the connection (docs/protocol.md). Messages still carry the client's key.
  void AllowAnyKey(const std::string& domain, const std::string& id);

  // The participant id `key` would be admitted as in `domain`, or "" if none.
  std::string IsAllowed(const std::string& domain, const std::string& key) const;

  // Handshakes answered 400 / 200 since start.
  uint64_t denied_count() const { return denied_.load(); }
  uint64_t admitted_count() const { return admitted_.load(); }

  // The context this handler serves.
  zmq::context_t& context() const { return context_; }

 private:
  ZapAuthenticator(zmq::context_t& context, zmq::socket_t handler, zmq::socket_t stop_rx,
                   zmq::socket_t stop_tx);
  void Run();
  // Answers one request already received on handler_.
  void HandleRequest(std::vector<zmq::message_t>& request);

  zmq::context_t& context_;
  zmq::socket_t handler_;  // REP on kZapEndpoint; used only by thread_ after start
  zmq::socket_t stop_rx_;  // PAIR; thread_ wakes up when stop_tx_ sends
  zmq::socket_t stop_tx_;  // PAIR; used only by the destructor

  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::string>> allowed_;  // guarded by mu_
  std::map<std::string, std::string> open_domains_;  // domain -> id; guarded by mu_

  std::atomic<uint64_t> denied_{0};
  std::atomic<uint64_t> admitted_{0};
  std::thread thread_;
};

}  // namespace fedtee::transport
