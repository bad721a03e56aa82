#include "transport/zap_authenticator.h"

#include <spdlog/spdlog.h>
#include <zmq.h>

#include <array>
#include <zmq_addon.hpp>

namespace fedtee::transport {
namespace {

constexpr std::string_view kZapVersion = "1.0";

// Encodes one ZMTP metadata property (RFC 37): name length (1 byte), name, value length
// (4 bytes, big-endian), value.
std::string MetadataProperty(std::string_view name, std::string_view value) {
  std::string out;
  out.push_back(static_cast<char>(name.size()));
  out.append(name);
  uint32_t n = static_cast<uint32_t>(value.size());
  out.push_back(static_cast<char>(n >> 24));
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  out.append(value);
  return out;
}

std::string Z85OfRaw(const zmq::message_t& raw) {
  if (raw.size() != 32) return "";
  std::array<char, 41> z85{};
  if (zmq_z85_encode(z85.data(), raw.data<uint8_t>(), 32) == nullptr) return "";
  return std::string(z85.data(), 40);
}

}  // namespace

Result<std::unique_ptr<ZapAuthenticator>> ZapAuthenticator::Create(zmq::context_t& context) {
  try {
    zmq::socket_t handler(context, zmq::socket_type::rep);
    handler.set(zmq::sockopt::linger, 0);
    try {
      handler.bind(kZapEndpoint);
    } catch (const zmq::error_t& e) {
      if (e.num() == EADDRINUSE) {
        return Status::FailedPrecondition("transport.zap_in_use",
                                          "a ZAP handler is already bound in this context");
      }
      throw;
    }
    // A private wake-up pair; the address is unique per authenticator.
    zmq::socket_t stop_rx(context, zmq::socket_type::pair);
    zmq::socket_t stop_tx(context, zmq::socket_type::pair);
    stop_rx.set(zmq::sockopt::linger, 0);
    stop_tx.set(zmq::sockopt::linger, 0);
    const std::string stop_ep =
        "inproc://fedtee.zap.stop." + std::to_string(reinterpret_cast<uintptr_t>(handler.handle()));
    stop_rx.bind(stop_ep);
    stop_tx.connect(stop_ep);
    return std::unique_ptr<ZapAuthenticator>(new ZapAuthenticator(
        context, std::move(handler), std::move(stop_rx), std::move(stop_tx)));
  } catch (const zmq::error_t& e) {
    return Status::Internal("transport.zap_start", std::string("ZAP handler: ") + e.what());
  }
}

ZapAuthenticator::ZapAuthenticator(zmq::context_t& context, zmq::socket_t handler,
                                   zmq::socket_t stop_rx, zmq::socket_t stop_tx)
    : context_(context),
      handler_(std::move(handler)),
      stop_rx_(std::move(stop_rx)),
      stop_tx_(std::move(stop_tx)) {
  // Starting the thread is a full memory barrier, so handing the sockets over is safe.
  thread_ = std::thread([this] { Run(); });
}

ZapAuthenticator::~ZapAuthenticator() {
  try {
    stop_tx_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  } catch (const zmq::error_t& e) {
    spdlog::error("ZAP handler: cannot signal stop: {}", e.what());
  }
  if (thread_.joinable()) thread_.join();
}

void ZapAuthenticator::SetAllowed(const std::string& domain,
                                  std::map<std::string, std::string> key_to_id) {
  std::lock_guard<std::mutex> lock(mu_);
  allowed_[domain] = std::move(key_to_id);
}

void ZapAuthenticator::Allow(const std::string& domain, const std::string& key,
                             const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  allowed_[domain][key] = id;
}

void ZapAuthenticator::Revoke(const std::string& domain, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = allowed_.find(domain);
  if (it != allowed_.end()) it->second.erase(key);
}

std::string ZapAuthenticator::IsAllowed(const std::string& domain, const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto d = allowed_.find(domain);
  if (d != allowed_.end()) {
    auto k = d->second.find(key);
    if (k != d->second.end()) return k->second;
  }
  auto open = open_domains_.find(domain);
  return open == open_domains_.end() ? "" : open->second;
}

void ZapAuthenticator::AllowAnyKey(const std::string& domain, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  open_domains_[domain] = id;
}

void ZapAuthenticator::Run() {
  std::array<zmq::pollitem_t, 2> items = {{
      {handler_.handle(), 0, ZMQ_POLLIN, 0},
      {stop_rx_.handle(), 0, ZMQ_POLLIN, 0},
  }};
  while (true) {
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
      if (items[1].revents & ZMQ_POLLIN) break;
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> request;
      if (!zmq::recv_multipart(handler_, std::back_inserter(request))) continue;
      HandleRequest(request);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) {
        spdlog::error("ZAP handler: context terminated before the authenticator was destroyed");
        break;
      }
      if (e.num() == EINTR) continue;
      spdlog::error("ZAP handler: {}", e.what());
    }
  }
  handler_.close();
  stop_rx_.close();
}

void ZapAuthenticator::HandleRequest(std::vector<zmq::message_t>& request) {
  // Request (RFC 27): version, request id, domain, address, routing id, mechanism,
  // credentials... For CURVE the one credential is the client's 32-byte public key.
  std::string request_id = request.size() > 1 ? request[1].to_string() : "";
  std::string status = "400";
  std::string text = "denied";
  std::string user_id;
  std::string metadata;
  std::string domain, address, key;
  if (request.size() < 6 || request[0].to_string_view() != kZapVersion) {
    text = "malformed ZAP request";
    spdlog::warn("ZAP: malformed request ({} frames)", request.size());
  } else {
    domain = request[2].to_string();
    address = request[3].to_string();
    const std::string mechanism = request[5].to_string();
    if (mechanism != "CURVE" || request.size() != 7) {
      text = "CURVE required";
      spdlog::warn("ZAP: denied {} client from {} in domain '{}': CURVE required", mechanism,
                   address, domain);
    } else {
      key = Z85OfRaw(request[6]);
      std::string id = key.empty() ? "" : IsAllowed(domain, key);
      if (id.empty()) {
        text = "key not allowed";
        spdlog::warn("ZAP: denied CURVE key {} from {} in domain '{}'", key, address, domain);
      } else {
        status = "200";
        text = "OK";
        user_id = id;
        metadata = MetadataProperty(kCurveKeyProperty, key);
        spdlog::debug("ZAP: admitted '{}' ({}) from {} in domain '{}'", id, key, address, domain);
      }
    }
  }
  (status == "200" ? admitted_ : denied_).fetch_add(1);
  std::array<zmq::const_buffer, 6> reply = {
      zmq::buffer(kZapVersion), zmq::buffer(request_id), zmq::buffer(status),
      zmq::buffer(text),        zmq::buffer(user_id),    zmq::buffer(metadata)};
  zmq::send_multipart(handler_, reply);
}

}  // namespace fedtee::transport
