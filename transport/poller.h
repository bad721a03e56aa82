// Waiting on several sockets at once, e.g. a participant's control-plane client and its
// data-plane client, or a server socket and a shutdown check.
//
// For SIGINT/SIGTERM: set a std::atomic<bool> (or a volatile sig_atomic_t) in the signal
// handler and Wait with a bounded timeout (100-500 ms) in the loop that checks it; zmq
// calls are not async-signal-safe, and libzmq returns early from a wait that a signal
// interrupts (reported here as nothing ready).
//
// Thread-safety: none; the sockets it watches must be used by the same thread.
#pragma once

#include <chrono>
#include <vector>
#include <zmq.hpp>

#include "base/status.h"
#include "transport/socket.h"

namespace fedtee::transport {

class Poller {
 public:
  // Registers a socket; returns its index for Wait's result. The socket must outlive the
  // poller and stay where it is (do not move it after adding).
  size_t Add(ServerSocket& socket) { return AddRef(socket.socket_ref()); }
  size_t Add(ClientSocket& socket) { return AddRef(socket.socket_ref()); }

  // Waits up to `timeout` (negative: forever) until at least one registered socket has a
  // message to receive. Returns the indices of the readable sockets (empty on timeout or
  // signal); FAILED_PRECONDITION "transport.closed" if a socket or the context is gone.
  Result<std::vector<size_t>> Wait(std::chrono::milliseconds timeout);

 private:
  size_t AddRef(zmq::socket_ref s);
  std::vector<zmq::pollitem_t> items_;
};

}  // namespace fedtee::transport
