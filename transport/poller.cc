#include "transport/poller.h"

namespace fedtee::transport {

size_t Poller::AddRef(zmq::socket_ref s) {
  items_.push_back(zmq::pollitem_t{s.handle(), 0, ZMQ_POLLIN, 0});
  return items_.size() - 1;
}

Result<std::vector<size_t>> Poller::Wait(std::chrono::milliseconds timeout) {
  std::vector<size_t> ready;
  try {
    if (zmq::poll(items_.data(), items_.size(), timeout) <= 0) return ready;
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return ready;
    return Status::FailedPrecondition("transport.closed", std::string("poll: ") + e.what());
  }
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].revents & ZMQ_POLLIN) ready.push_back(i);
  }
  return ready;
}

}  // namespace fedtee::transport
