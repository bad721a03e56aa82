// Real CURVE sockets on loopback (tcp://127.0.0.1, port picked by the kernel): handshake with
// a pinned server key, ZAP admission by key, runtime allowlist changes, frame size limits.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "transport/curve_identity.h"
#include "transport/poller.h"
#include "transport/socket.h"
#include "transport/zap_authenticator.h"

namespace fedtee::transport {
namespace {

using std::chrono::milliseconds;
constexpr char kDomain[] = "fedtee.test";

CurveKeyPair NewKeys() {
  auto k = CurveKeyPair::Generate();
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

// Receives on `server` until a message arrives or `timeout` passes.
std::optional<Incoming> ReceiveWithin(ServerSocket& server, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = server.Receive(milliseconds(50));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return std::nullopt;
    if (r->has_value()) return std::move(**r);
  }
  return std::nullopt;
}

class ZapSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zap = ZapAuthenticator::Create(ctx_);
    ASSERT_TRUE(zap.ok()) << zap.status().ToString();
    zap_ = std::move(zap).value();
    server_keys_ = NewKeys();
    auto server = ServerSocket::Bind(ctx_, *zap_, server_keys_, kDomain, "tcp://127.0.0.1:0",
                                     ServerOptions());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_.emplace(std::move(server).value());
  }

  virtual SocketOptions ServerOptions() { return {}; }

  static SocketOptions ClientOptions() {
    SocketOptions o;
    o.send_timeout = milliseconds(300);
    return o;
  }

  ClientSocket Connect(const CurveKeyPair& keys, const std::string& server_key) {
    auto c = ClientSocket::Connect(ctx_, keys, server_key, server_->bound_endpoint(),
                                   ClientOptions());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }

  // Member order matters: the context outlives the authenticator and the sockets.
  zmq::context_t ctx_;
  std::unique_ptr<ZapAuthenticator> zap_;
  CurveKeyPair server_keys_;
  std::optional<ServerSocket> server_;
  std::vector<ClientSocket> clients_;

  void TearDown() override {
    clients_.clear();
    server_.reset();
    zap_.reset();
  }
};

TEST_F(ZapSocketTest, PinnedHandshakeDeliversAuthenticatedPeerId) {
  EXPECT_NE(server_->bound_endpoint().find("tcp://127.0.0.1:"), std::string::npos);
  EXPECT_EQ(server_->bound_endpoint().find(":0"), std::string::npos);
  CurveKeyPair alice = NewKeys();
  zap_->Allow(kDomain, alice.public_z85, "hospital-a");
  ClientSocket client = Connect(alice, server_keys_.public_z85);
  ASSERT_TRUE(client.WaitConnected(milliseconds(3000)).ok());

  ASSERT_TRUE(client.Send({AsBytes("hello"), AsBytes("world")}).ok());
  auto in = ReceiveWithin(*server_, milliseconds(2000));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->peer_id, "hospital-a");
  EXPECT_EQ(in->peer_key, alice.public_z85);
  ASSERT_EQ(in->frames.size(), 2u);
  EXPECT_EQ(ToString(in->frames[0]), "hello");
  EXPECT_EQ(ToString(in->frames[1]), "world");
  EXPECT_EQ(zap_->admitted_count(), 1u);
  EXPECT_EQ(zap_->denied_count(), 0u);

  ASSERT_TRUE(server_->Send(in->routing_id, {AsBytes("reply")}).ok());
  Poller poller;
  const size_t server_index = poller.Add(*server_);
  const size_t client_index = poller.Add(client);
  auto ready = poller.Wait(milliseconds(2000));
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(*ready, std::vector<size_t>{client_index});
  EXPECT_NE(server_index, client_index);
  auto back = client.Receive(milliseconds(2000));
  ASSERT_TRUE(back.ok() && back->has_value());
  ASSERT_EQ((*back)->size(), 1u);
  EXPECT_EQ(ToString((**back)[0]), "reply");
  EXPECT_TRUE(client.WaitConnected(milliseconds(0)).ok());  // stays connected
}

TEST_F(ZapSocketTest, UnknownKeyIsDenied) {
  CurveKeyPair mallory = NewKeys();
  zap_->Allow(kDomain, NewKeys().public_z85, "someone-else");
  ClientSocket client = Connect(mallory, server_keys_.public_z85);
  Status s = client.WaitConnected(milliseconds(3000));
  EXPECT_EQ(s.reason(), "transport.auth_denied") << s.ToString();
  // Nothing is queued on an unauthenticated connection, so Send times out.
  EXPECT_EQ(client.Send({AsBytes("let me in")}).reason(), "transport.send_timeout");
  EXPECT_FALSE(ReceiveWithin(*server_, milliseconds(500)).has_value());
  EXPECT_GE(zap_->denied_count(), 1u);
  EXPECT_EQ(zap_->admitted_count(), 0u);
}

TEST_F(ZapSocketTest, KeyAllowedInAnotherDomainIsDenied) {
  CurveKeyPair alice = NewKeys();
  zap_->Allow("other.domain", alice.public_z85, "hospital-a");
  ClientSocket client = Connect(alice, server_keys_.public_z85);
  EXPECT_EQ(client.WaitConnected(milliseconds(3000)).reason(), "transport.auth_denied");
  EXPECT_FALSE(ReceiveWithin(*server_, milliseconds(300)).has_value());
}

TEST_F(ZapSocketTest, WrongServerKeyCannotTalk) {
  CurveKeyPair alice = NewKeys();
  zap_->Allow(kDomain, alice.public_z85, "hospital-a");
  CurveKeyPair impostor = NewKeys();  // the client pins a key the server does not hold
  ClientSocket client = Connect(alice, impostor.public_z85);
  Status s = client.WaitConnected(milliseconds(1500));
  EXPECT_FALSE(s.ok());
  std::printf("wrong server key: %s\n", s.ToString().c_str());
  EXPECT_TRUE(s.reason() == "transport.handshake_failed" ||
              s.reason() == "transport.connect_timeout")
      << s.ToString();
  EXPECT_EQ(client.Send({AsBytes("secret")}).reason(), "transport.send_timeout");
  EXPECT_FALSE(ReceiveWithin(*server_, milliseconds(500)).has_value());
  EXPECT_EQ(zap_->admitted_count(), 0u);  // never got as far as ZAP
}

TEST_F(ZapSocketTest, AllowlistChangesTakeEffectAtRuntime) {
  CurveKeyPair alice = NewKeys();
  zap_->SetAllowed(kDomain, {});
  ClientSocket late = Connect(alice, server_keys_.public_z85);
  EXPECT_EQ(late.WaitConnected(milliseconds(3000)).reason(), "transport.auth_denied");

  // Admitted from the next handshake on. libzmq does not retry a connection that ZAP
  // refused (a protocol error ends the session), so the client makes a new socket.
  zap_->SetAllowed(kDomain, {{alice.public_z85, "hospital-a"}});
  EXPECT_EQ(zap_->IsAllowed(kDomain, alice.public_z85), "hospital-a");
  EXPECT_EQ(late.WaitConnected(milliseconds(300)).reason(), "transport.connect_timeout");
  late = Connect(alice, server_keys_.public_z85);
  ASSERT_TRUE(late.WaitConnected(milliseconds(3000)).ok());
  ASSERT_TRUE(late.Send({AsBytes("now")}).ok());
  auto in = ReceiveWithin(*server_, milliseconds(2000));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->peer_id, "hospital-a");

  // Revoked: a new connection with that key is refused.
  zap_->Revoke(kDomain, alice.public_z85);
  const uint64_t denied_before = zap_->denied_count();
  ClientSocket again = Connect(alice, server_keys_.public_z85);
  EXPECT_EQ(again.WaitConnected(milliseconds(3000)).reason(), "transport.auth_denied");
  EXPECT_GT(zap_->denied_count(), denied_before);
}

TEST_F(ZapSocketTest, SendToUnknownPeerIsPeerGone) {
  Status s = server_->Send(ToBytes("no-such-peer"), {AsBytes("x")});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.reason(), "transport.peer_gone");
  EXPECT_EQ(server_->Send(ToBytes("p"), std::vector<Bytes>{}).reason(), "transport.no_frames");
}

class SmallFrameTest : public ZapSocketTest {
 protected:
  static constexpr size_t kMax = 64 * 1024;
  SocketOptions ServerOptions() override {
    SocketOptions o;
    o.max_message_bytes = kMax;
    return o;
  }
};

TEST_F(SmallFrameTest, OversizedFrameNeverArrivesAndServerKeepsServing) {
  CurveKeyPair big = NewKeys(), small = NewKeys();
  zap_->Allow(kDomain, big.public_z85, "big");
  zap_->Allow(kDomain, small.public_z85, "small");
  ClientSocket big_client = Connect(big, server_keys_.public_z85);
  ClientSocket small_client = Connect(small, server_keys_.public_z85);
  ASSERT_TRUE(big_client.WaitConnected(milliseconds(3000)).ok());
  ASSERT_TRUE(small_client.WaitConnected(milliseconds(3000)).ok());

  // Exactly the limit is fine.
  Bytes at_limit(kMax, 0xab);
  ASSERT_TRUE(big_client.Send({at_limit}).ok());
  auto in = ReceiveWithin(*server_, milliseconds(2000));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->frames[0].size(), kMax);

  // Over the limit: libzmq drops the frame and disconnects the sender.
  Bytes too_big(kMax + 1024, 0xcd);
  ASSERT_TRUE(big_client.Send({AsBytes("header"), too_big}).ok());  // queued locally
  EXPECT_FALSE(ReceiveWithin(*server_, milliseconds(500)).has_value());

  ASSERT_TRUE(small_client.Send({AsBytes("still here")}).ok());
  auto other = ReceiveWithin(*server_, milliseconds(2000));
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->peer_id, "small");
  EXPECT_EQ(ToString(other->frames[0]), "still here");
}

TEST(ZapAuthenticatorTest, OneHandlerPerContext) {
  zmq::context_t ctx;
  auto first = ZapAuthenticator::Create(ctx);
  ASSERT_TRUE(first.ok());
  auto second = ZapAuthenticator::Create(ctx);
  EXPECT_EQ(second.status().reason(), "transport.zap_in_use");

  zmq::context_t other;
  CurveKeyPair keys = NewKeys();
  auto s = ServerSocket::Bind(other, **first, keys, kDomain, "tcp://127.0.0.1:0");
  EXPECT_EQ(s.status().reason(), "transport.zap_context_mismatch");
}

TEST(EndpointTest, OnlyTcpHostPort) {
  EXPECT_TRUE(ValidateEndpoint("tcp://127.0.0.1:0").ok());
  EXPECT_TRUE(ValidateEndpoint("tcp://localhost:5555").ok());
  EXPECT_TRUE(ValidateEndpoint("tcp://127.0.0.1:*").ok());
  for (const char* bad : {"", "127.0.0.1:5555", "ipc:///tmp/x", "tcp://127.0.0.1",
                          "tcp://:5555", "tcp://127.0.0.1:65536", "tcp://127.0.0.1:5x"}) {
    EXPECT_EQ(ValidateEndpoint(bad).reason(), "transport.bad_endpoint") << bad;
  }
  zmq::context_t ctx;
  auto zap = ZapAuthenticator::Create(ctx);
  ASSERT_TRUE(zap.ok());
  CurveKeyPair keys = NewKeys();
  EXPECT_EQ(ServerSocket::Bind(ctx, **zap, keys, kDomain, "inproc://x").status().reason(),
            "transport.bad_endpoint");
  EXPECT_EQ(ClientSocket::Connect(ctx, keys, "short", "tcp://127.0.0.1:1").status().reason(),
            "curve.bad_key");

  auto a = ServerSocket::Bind(ctx, **zap, keys, kDomain, "tcp://127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  auto b = ServerSocket::Bind(ctx, **zap, keys, kDomain, a->bound_endpoint());
  EXPECT_EQ(b.status().reason(), "transport.address_in_use");
}

}  // namespace
}  // namespace fedtee::transport
