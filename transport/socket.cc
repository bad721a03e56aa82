#include "transport/socket.h"

#include <spdlog/spdlog.h>
#include <zmq.h>

#include <atomic>
#include <cstring>
#include <zmq_addon.hpp>

namespace fedtee::transport {
namespace {

// Bytes a CURVE MESSAGE command adds around a frame on the wire (command name, flags,
// nonce, box MAC, ZMTP header) with room to spare. libzmq checks ZMQ_MAXMSGSIZE against
// the wire frame, so this is added to max_message_bytes.
constexpr int64_t kCurveFrameOverhead = 64;

// ZMQ_ZAP_ENFORCE_DOMAIN is a DRAFT option in libzmq 4.3; set it when the library has it.
constexpr int kZapEnforceDomain = 93;

Status FromZmq(const zmq::error_t& e, const std::string& what) {
  const std::string msg = what + ": " + e.what();
  switch (e.num()) {
    case EHOSTUNREACH:
      return Status::Unavailable("transport.peer_gone", msg);
    case EAGAIN:
      return Status::Unavailable("transport.send_timeout", msg);
    case EADDRINUSE:
      return Status::Unavailable("transport.address_in_use", msg);
    case ETERM:
    case ENOTSOCK:
      return Status::FailedPrecondition("transport.closed", msg);
    case EINVAL:
    case EPROTONOSUPPORT:
    case ENODEV:
    case EADDRNOTAVAIL:
      return Status::InvalidArgument("transport.bad_endpoint", msg);
    case EINTR:
      return Status::Unavailable("transport.interrupted", msg);
    default:
      return Status::Internal("transport.zmq", msg);
  }
}

int Millis(std::chrono::milliseconds d) { return static_cast<int>(d.count()); }

void ApplyOptions(zmq::socket_t& s, const SocketOptions& o) {
  s.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(o.max_message_bytes) + kCurveFrameOverhead);
  s.set(zmq::sockopt::sndhwm, o.send_hwm);
  s.set(zmq::sockopt::rcvhwm, o.recv_hwm);
  s.set(zmq::sockopt::sndtimeo, Millis(o.send_timeout));
  s.set(zmq::sockopt::linger, Millis(o.linger));
  s.set(zmq::sockopt::handshake_ivl, Millis(o.handshake_timeout));
  s.set(zmq::sockopt::heartbeat_ivl, Millis(o.heartbeat_interval));
  if (o.heartbeat_interval.count() > 0) {
    s.set(zmq::sockopt::heartbeat_timeout, Millis(o.heartbeat_timeout));
    s.set(zmq::sockopt::heartbeat_ttl, Millis(o.heartbeat_timeout));
  }
}

// Sets a Z85 key option from a NUL-terminated 40-character string.
void SetKey(zmq::socket_t& s, int option, const char* z85) {
  if (zmq_setsockopt(s.handle(), option, z85, kZ85KeyLength) != 0) throw zmq::error_t();
}

// Sends frames as one multipart message; the first part's send decides (later parts of an
// accepted message are not refused by ROUTER or DEALER).
Status SendParts(zmq::socket_t& s, const ByteSpan* routing_id, std::span<const ByteSpan> frames,
                 const char* what) {
  if (frames.empty()) return Status::InvalidArgument("transport.no_frames", "nothing to send");
  try {
    if (routing_id != nullptr) {
      if (!s.send(zmq::buffer(routing_id->data(), routing_id->size()), zmq::send_flags::sndmore)) {
        return Status::Unavailable("transport.send_timeout", std::string(what) + ": queue full");
      }
    }
    for (size_t i = 0; i < frames.size(); ++i) {
      auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      if (!s.send(zmq::buffer(frames[i].data(), frames[i].size()), flags)) {
        return Status::Unavailable("transport.send_timeout", std::string(what) + ": queue full");
      }
    }
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return FromZmq(e, what);
  }
}

// Waits for input on `s` for `timeout`; true when a message is ready.
bool WaitReadable(zmq::socket_t& s, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  return zmq::poll(&item, 1, timeout) > 0 && (item.revents & ZMQ_POLLIN);
}

Bytes ToBytes(const zmq::message_t& m) {
  const auto* p = m.data<uint8_t>();
  return Bytes(p, p + m.size());
}

std::atomic<uint64_t> monitor_counter{0};

}  // namespace

Status ValidateEndpoint(const std::string& endpoint) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("transport.bad_endpoint",
                                   "endpoint \"" + endpoint + "\": " + why);
  };
  constexpr std::string_view kScheme = "tcp://";
  if (endpoint.rfind(kScheme, 0) != 0) return bad("must start with tcp://");
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon < kScheme.size()) return bad("needs host:port");
  const std::string host = endpoint.substr(kScheme.size(), colon - kScheme.size());
  const std::string port = endpoint.substr(colon + 1);
  if (host.empty()) return bad("empty host");
  if (port != "*") {
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
      return bad("port must be a number from 0 to 65535 or *");
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------- ServerSocket

Result<ServerSocket> ServerSocket::Bind(zmq::context_t& context, ZapAuthenticator& zap,
                                        const CurveKeyPair& keys, const std::string& zap_domain,
                                        const std::string& endpoint, const SocketOptions& options) {
  if (&zap.context() != &context) {
    return Status::FailedPrecondition("transport.zap_context_mismatch",
                                      "the ZAP authenticator serves another context");
  }
  FEDTEE_RETURN_IF_ERROR(ValidateEndpoint(endpoint));
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(keys.public_z85).Wrap("server public key"));
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(keys.secret_z85.view()).Wrap("server secret key"));
  if (zap_domain.empty()) {
    return Status::InvalidArgument("transport.bad_zap_domain", "the ZAP domain must not be empty");
  }
  try {
    zmq::socket_t s(context, zmq::socket_type::router);
    ApplyOptions(s, options);
    s.set(zmq::sockopt::router_mandatory, 1);
    s.set(zmq::sockopt::curve_server, 1);
    SetKey(s, ZMQ_CURVE_SECRETKEY, keys.secret_z85.c_str());
    s.set(zmq::sockopt::zap_domain, zap_domain);
    int enforce = 1;
    if (zmq_setsockopt(s.handle(), kZapEnforceDomain, &enforce, sizeof enforce) != 0) {
      spdlog::debug("libzmq without ZMQ_ZAP_ENFORCE_DOMAIN; relying on the bound ZAP handler");
    }
    try {
      s.bind(endpoint);
    } catch (const zmq::error_t& e) {
      return FromZmq(e, "binding " + endpoint);
    }
    std::string bound = s.get(zmq::sockopt::last_endpoint);
    return ServerSocket(std::move(s), std::move(bound), keys.public_z85);
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "creating server socket");
  }
}

Result<std::optional<Incoming>> ServerSocket::Receive(std::chrono::milliseconds timeout) {
  try {
    if (!WaitReadable(socket_, timeout)) return std::optional<Incoming>();
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
      return std::optional<Incoming>();
    }
    if (parts.size() < 2) return std::optional<Incoming>();  // ROUTER always adds an id
    const char* user_id = parts[1].gets("User-Id");
    const char* key = parts[1].gets(kCurveKeyProperty);
    if (user_id == nullptr || *user_id == '\0' || key == nullptr) {
      spdlog::warn("transport: dropped a message without an authenticated peer on {}",
                   bound_endpoint_);
      return std::optional<Incoming>();
    }
    Incoming in;
    in.routing_id = ToBytes(parts[0]);
    in.peer_id = user_id;
    in.peer_key = key;
    in.frames.reserve(parts.size() - 1);
    for (size_t i = 1; i < parts.size(); ++i) in.frames.push_back(ToBytes(parts[i]));
    return std::optional<Incoming>(std::move(in));
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return std::optional<Incoming>();
    return FromZmq(e, "receiving on " + bound_endpoint_);
  }
}

Status ServerSocket::Send(ByteSpan routing_id, std::span<const ByteSpan> frames) {
  return SendParts(socket_, &routing_id, frames, "sending to a peer");
}

Status ServerSocket::Send(ByteSpan routing_id, const std::vector<Bytes>& frames) {
  std::vector<ByteSpan> spans(frames.begin(), frames.end());
  return Send(routing_id, std::span<const ByteSpan>(spans));
}

// ---------------------------------------------------------------------------- ClientSocket

Result<ClientSocket> ClientSocket::Connect(zmq::context_t& context, const CurveKeyPair& keys,
                                           const std::string& server_public_key,
                                           const std::string& endpoint,
                                           const SocketOptions& options) {
  FEDTEE_RETURN_IF_ERROR(ValidateEndpoint(endpoint));
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(server_public_key).Wrap("server public key"));
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(keys.public_z85).Wrap("client public key"));
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(keys.secret_z85.view()).Wrap("client secret key"));
  try {
    zmq::socket_t s(context, zmq::socket_type::dealer);
    ApplyOptions(s, options);
    s.set(zmq::sockopt::immediate, 1);
    SetKey(s, ZMQ_CURVE_SERVERKEY, server_public_key.c_str());
    SetKey(s, ZMQ_CURVE_PUBLICKEY, keys.public_z85.c_str());
    SetKey(s, ZMQ_CURVE_SECRETKEY, keys.secret_z85.c_str());

    // Handshake events go to a private PAIR so WaitConnected can explain failures.
    const std::string monitor_ep =
        "inproc://fedtee.client.monitor." + std::to_string(monitor_counter.fetch_add(1));
    const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED;
    if (zmq_socket_monitor(s.handle(), monitor_ep.c_str(), events) != 0) throw zmq::error_t();
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    monitor.set(zmq::sockopt::linger, 0);
    monitor.connect(monitor_ep);
    try {
      s.connect(endpoint);
    } catch (const zmq::error_t& e) {
      return FromZmq(e, "connecting to " + endpoint);
    }
    return ClientSocket(std::move(s), std::move(monitor), endpoint);
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "creating client socket");
  }
}

Result<std::optional<Status>> ClientSocket::DrainMonitor(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() < 0) left = std::chrono::milliseconds(0);
      if (!WaitReadable(monitor_, left)) return std::optional<Status>();
      std::vector<zmq::message_t> ev;
      if (!zmq::recv_multipart(monitor_, std::back_inserter(ev), zmq::recv_flags::dontwait)) {
        continue;
      }
      if (ev.empty() || ev[0].size() < 6) continue;
      uint16_t event;
      uint32_t value;
      std::memcpy(&event, ev[0].data(), 2);
      std::memcpy(&value, ev[0].data<uint8_t>() + 2, 4);
      switch (event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
          connected_ = true;
          return std::optional<Status>(Status::Ok());
        case ZMQ_EVENT_DISCONNECTED:
          connected_ = false;
          break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
          connected_ = false;
          return std::optional<Status>(Status::PermissionDenied(
              "transport.auth_denied", endpoint_ + " refused our CURVE key (ZAP status " +
                                           std::to_string(value) + "); is it enrolled?"));
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
          connected_ = false;
          return std::optional<Status>(Status::Unauthenticated(
              "transport.handshake_failed",
              "CURVE handshake with " + endpoint_ +
                  " failed (error " + std::to_string(value) +
                  "); does the server hold the pinned public key?"));
        default:
          break;
      }
    }
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "reading handshake events");
  }
}

Status ClientSocket::WaitConnected(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Catch up with events already queued; a later failure overrides an earlier success.
  std::optional<Status> verdict;
  while (true) {
    FEDTEE_ASSIGN_OR_RETURN(std::optional<Status> v, DrainMonitor(std::chrono::milliseconds(0)));
    if (!v) break;
    verdict = std::move(v);
  }
  if (connected_) return Status::Ok();
  if (verdict && !verdict->ok()) return *verdict;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() > 0) {
    FEDTEE_ASSIGN_OR_RETURN(std::optional<Status> v, DrainMonitor(left));
    if (v) return *v;
  }
  return Status::DeadlineExceeded("transport.connect_timeout",
                                  "no CURVE handshake with " + endpoint_ + " within " +
                                      std::to_string(timeout.count()) + " ms");
}

Status ClientSocket::Send(std::span<const ByteSpan> frames) {
  return SendParts(socket_, nullptr, frames, "sending to the server");
}

Status ClientSocket::Send(const std::vector<Bytes>& frames) {
  std::vector<ByteSpan> spans(frames.begin(), frames.end());
  return Send(std::span<const ByteSpan>(spans));
}

Result<std::optional<std::vector<Bytes>>> ClientSocket::Receive(
    std::chrono::milliseconds timeout) {
  using Out = std::optional<std::vector<Bytes>>;
  try {
    if (!WaitReadable(socket_, timeout)) return Out();
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
      return Out();
    }
    std::vector<Bytes> frames;
    frames.reserve(parts.size());
    for (const auto& p : parts) frames.push_back(ToBytes(p));
    return Out(std::move(frames));
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return Out();
    return FromZmq(e, "receiving from " + endpoint_);
  }
}

}  // namespace fedtee::transport
