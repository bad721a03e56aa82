// ZeroMQ sockets for fedtee: a CURVE ROUTER server and a CURVE DEALER client that move
// authenticated multipart messages. Transport knows nothing of what the frames mean.
//
// ServerSocket: ROUTER, CURVE server with its own key pair, ZAP domain set, bound to
// "tcp://host:port" (port 0 or * picks a free port; bound_endpoint() tells which). Every
// received message carries the participant id and Z85 key that the ZapAuthenticator
// admitted for that connection; a message without them is dropped (never delivered).
// ROUTER_MANDATORY is on, so a reply to a peer that is gone fails instead of vanishing.
//
// ClientSocket: DEALER, CURVE client with its own key pair and the PINNED server public key,
// connected to "tcp://host:port". A server with another key cannot complete the handshake,
// so nothing is sent to it. Messages are queued only on connections whose handshake
// succeeded (ZMQ_IMMEDIATE), so Send before then waits up to send_timeout.
//
// A ZAP refusal is final for that socket: when the server's ZAP handler says 400, libzmq
// (4.3) ends the session and does NOT reconnect. After WaitConnected reports
// "transport.auth_denied", make a new ClientSocket to try again (for example once the
// coordinator has admitted this participant). A server without the pinned key may be
// retried by libzmq but can never complete the handshake. Dropped TCP connections are
// retried by libzmq on its own.
//
// Frames larger than SocketOptions::max_message_bytes are dropped by libzmq, which also
// disconnects the sender (ZMQ_MAXMSGSIZE); send large payloads in chunks (chunker.h).
//
// Errors (zmq::error_t never escapes; stable reasons):
//   INVALID_ARGUMENT "transport.bad_endpoint"  not "tcp://host:port"
//   INVALID_ARGUMENT "curve.bad_key"           a malformed key
//   INVALID_ARGUMENT "transport.no_frames"     Send with no frames
//   FAILED_PRECONDITION "transport.zap_context_mismatch"  the authenticator serves another context
//   UNAVAILABLE "transport.address_in_use"     bind to a taken port
//   UNAVAILABLE "transport.peer_gone"          ServerSocket::Send to a routing id not connected
//   UNAVAILABLE "transport.send_timeout"       no queue space / no connection within send_timeout
//   PERMISSION_DENIED "transport.auth_denied"  WaitConnected: the server's ZAP handler refused us
//   UNAUTHENTICATED "transport.handshake_failed"  WaitConnected: the CURVE handshake failed
//   DEADLINE_EXCEEDED "transport.connect_timeout" WaitConnected: no handshake in time
//   FAILED_PRECONDITION "transport.closed"     the socket was moved from or its context ended
//   INTERNAL "transport.zmq"                   any other libzmq failure
// Receive returns an empty optional on timeout; errors only for hard failures.
//
// Lifetime: sockets must be destroyed before their context (declare the context first).
// Thread-safety: like zmq sockets, not thread-safe. Use one socket from one thread at a
// time (moving it to another thread is fine).
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "base/bytes.h"
#include "base/status.h"
#include "transport/curve_identity.h"
#include "transport/socket_options.h"
#include "transport/zap_authenticator.h"

namespace fedtee::transport {

// OK if `endpoint` is "tcp://host:port" with a numeric port or "*", INVALID_ARGUMENT
// "transport.bad_endpoint" otherwise.
Status ValidateEndpoint(const std::string& endpoint);

// One message received by a ServerSocket.
struct Incoming {
  Bytes routing_id;          // opaque; pass back to ServerSocket::Send to reply
  std::string peer_id;       // authenticated participant id (ZAP User-Id)
  std::string peer_key;      // authenticated Z85 CURVE public key of the peer
  std::vector<Bytes> frames; // the message parts the peer sent (at least one)
};

class ServerSocket {
 public:
  // Creates the ROUTER, applies `options`, makes it a CURVE server with `keys`, sets ZAP
  // `zap_domain` and binds `endpoint`. `zap` must serve `context` and outlive this socket;
  // it decides which clients connect. `keys` is copied into libzmq; the caller may drop it.
  static Result<ServerSocket> Bind(zmq::context_t& context, ZapAuthenticator& zap,
                                   const CurveKeyPair& keys, const std::string& zap_domain,
                                   const std::string& endpoint, const SocketOptions& options = {});

  ServerSocket(ServerSocket&&) noexcept = default;
  ServerSocket& operator=(ServerSocket&&) noexcept = default;

  // Waits up to `timeout` (0: poll, negative: forever) for one message. Empty on timeout,
  // and also, early, when a message without authenticated metadata was dropped.
  Result<std::optional<Incoming>> Receive(std::chrono::milliseconds timeout);

  // Sends `frames` (at least one) as one multipart message to the peer with `routing_id`.
  // UNAVAILABLE "transport.peer_gone" when that peer is not connected, "transport.send_timeout"
  // when its queue stays full for send_timeout. The message is sent whole or not at all.
  Status Send(ByteSpan routing_id, std::span<const ByteSpan> frames);
  Status Send(ByteSpan routing_id, std::initializer_list<ByteSpan> frames) {
    return Send(routing_id, std::span<const ByteSpan>(frames.begin(), frames.size()));
  }
  Status Send(ByteSpan routing_id, const std::vector<Bytes>& frames);

  // The endpoint actually bound (ZMQ_LAST_ENDPOINT), e.g. "tcp://127.0.0.1:41234".
  const std::string& bound_endpoint() const { return bound_endpoint_; }
  // The server's Z85 public key, for clients to pin.
  const std::string& public_key() const { return public_key_; }
  // For zmq::poller_t / zmq::poll only (e.g. to wait on several sockets and a wake-up
  // socket); do not send or receive through it.
  zmq::socket_ref socket_ref() { return socket_; }

 private:
  ServerSocket(zmq::socket_t socket, std::string bound, std::string public_key)
      : socket_(std::move(socket)),
        bound_endpoint_(std::move(bound)),
        public_key_(std::move(public_key)) {}

  zmq::socket_t socket_;
  std::string bound_endpoint_;
  std::string public_key_;
};

class ClientSocket {
 public:
  // Creates the DEALER, applies `options`, makes it a CURVE client with `keys` that accepts
  // only a server holding `server_public_key`, and connects to `endpoint` (in the
  // background; libzmq reconnects on its own). `keys` is copied into libzmq.
  static Result<ClientSocket> Connect(zmq::context_t& context, const CurveKeyPair& keys,
                                      const std::string& server_public_key,
                                      const std::string& endpoint,
                                      const SocketOptions& options = {});

  ClientSocket(ClientSocket&&) noexcept = default;
  ClientSocket& operator=(ClientSocket&&) noexcept = default;

  // Waits until a CURVE handshake with the server has succeeded (OK at once if one already
  // has), or the server refused us (PERMISSION_DENIED "transport.auth_denied": ZAP said no;
  // UNAUTHENTICATED "transport.handshake_failed": e.g. the server does not hold the pinned
  // key), or `timeout` passed (DEADLINE_EXCEEDED "transport.connect_timeout"). Optional:
  // Send works without it; it exists to tell a user why nothing gets through.
  Status WaitConnected(std::chrono::milliseconds timeout);

  // Sends `frames` (at least one) as one multipart message. UNAVAILABLE
  // "transport.send_timeout" if no authenticated connection has queue space within
  // send_timeout. The message is sent whole or not at all.
  Status Send(std::span<const ByteSpan> frames);
  Status Send(std::initializer_list<ByteSpan> frames) {
    return Send(std::span<const ByteSpan>(frames.begin(), frames.size()));
  }
  Status Send(const std::vector<Bytes>& frames);

  // Waits up to `timeout` (0: poll, negative: forever) for one message from the server.
  Result<std::optional<std::vector<Bytes>>> Receive(std::chrono::milliseconds timeout);

  const std::string& endpoint() const { return endpoint_; }
  // For zmq::poller_t / zmq::poll only; do not send or receive through it.
  zmq::socket_ref socket_ref() { return socket_; }

 private:
  ClientSocket(zmq::socket_t socket, zmq::socket_t monitor, std::string endpoint)
      : socket_(std::move(socket)), monitor_(std::move(monitor)), endpoint_(std::move(endpoint)) {}
  // Reads pending monitor events, updating handshake state. Returns the terminal verdict
  // seen (OK, auth denied, handshake failed) or nullopt if none yet.
  Result<std::optional<Status>> DrainMonitor(std::chrono::milliseconds timeout);

  zmq::socket_t socket_;
  zmq::socket_t monitor_;  // PAIR receiving socket_'s handshake events
  std::string endpoint_;
  bool connected_ = false;  // a handshake has succeeded and no disconnect was seen since
};

}  // namespace fedtee::transport
