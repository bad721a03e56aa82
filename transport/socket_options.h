// Options shared by ServerSocket and ClientSocket (socket.h). Defaults are safe for a
// federation on a LAN or the internet: bounded frames, heartbeats, bounded queues and
// bounded waits on close.
#pragma once

#include <chrono>
#include <cstddef>

namespace fedtee::transport {

struct SocketOptions {
  // Largest frame (one message part) a peer may send us, in bytes. Enforced by libzmq
  // (ZMQ_MAXMSGSIZE): a peer that sends a larger frame is disconnected and the frame is
  // dropped before it reaches the application; its other frames of that message too. The
  // limit applies to every part separately, not to the sum of a multipart message. Payloads
  // larger than this move in chunks (chunker.h). The CURVE framing overhead is added
  // internally, so a frame of exactly this many bytes is accepted.
  size_t max_message_bytes = size_t{16} << 20;

  // How often to send a ZMTP PING on an idle connection (ZMQ_HEARTBEAT_IVL). 0 disables
  // ZMTP heartbeats. These detect dead TCP connections; application-level liveness of a
  // participant is PeerTracker's job (peer_tracker.h).
  std::chrono::milliseconds heartbeat_interval{1000};

  // How long to wait for any traffic after a PING before closing the connection
  // (ZMQ_HEARTBEAT_TIMEOUT). Also sent to the peer as its TTL (ZMQ_HEARTBEAT_TTL, rounded
  // down to 100 ms), so both sides drop a silent connection after about this long.
  std::chrono::milliseconds heartbeat_timeout{5000};

  // Outgoing messages queued per peer before Send blocks (ZMQ_SNDHWM). With chunked
  // payloads this bounds the memory in flight to about send_hwm x chunk size.
  int send_hwm = 1000;

  // Incoming messages queued per peer before libzmq stops reading from it (ZMQ_RCVHWM).
  int recv_hwm = 1000;

  // How long Send waits for queue space (or, for a client, for a connection that has
  // finished its handshake) before failing with UNAVAILABLE "transport.send_timeout"
  // (ZMQ_SNDTIMEO).
  std::chrono::milliseconds send_timeout{5000};

  // How long a CURVE handshake (including the ZAP decision) may take before libzmq drops
  // the connection (ZMQ_HANDSHAKE_IVL).
  std::chrono::milliseconds handshake_timeout{10000};

  // How long unsent messages are kept after the socket is closed (ZMQ_LINGER). Bounded so
  // that shutdown never hangs on an unreachable peer.
  std::chrono::milliseconds linger{500};
};

}  // namespace fedtee::transport
