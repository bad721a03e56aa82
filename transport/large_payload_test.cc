// A 200 MB payload moves from a client to the server through SplitChunks, real CURVE sockets
// on loopback and a ChunkAssembler, and arrives intact (SHA-256 compared). Frames stay far
// below max_message_bytes, and a small send HWM bounds the memory in flight.
//
// The chunk header frame is this test's own (stream id, index, final flag); the roles use
// the .proto message set for theirs.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "base/bytes.h"
#include "transport/chunker.h"
#include "transport/socket.h"
#include "transport/zap_authenticator.h"

namespace fedtee::transport {
namespace {

using std::chrono::milliseconds;

Bytes Sha256(ByteSpan data) {
  Bytes out(32);
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr);
  return out;
}

Bytes Header(uint64_t stream, uint64_t index, bool final) {
  Bytes h;
  AppendU64BE(h, stream);
  AppendU64BE(h, index);
  h.push_back(final ? 1 : 0);
  return h;
}

uint64_t ReadU64BE(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

TEST(LargePayloadTest, TwoHundredMegabytesInChunksArriveIntact) {
  constexpr size_t kPayloadBytes = size_t{200} << 20;
  constexpr size_t kChunkBytes = size_t{1} << 20;
  constexpr uint64_t kStream = 42;

  Bytes payload(kPayloadBytes);
  std::mt19937_64 rng(7);
  for (size_t i = 0; i + 8 <= payload.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(payload.data() + i, &v, 8);
  }
  const Bytes digest = Sha256(payload);

  zmq::context_t ctx;
  auto zap = ZapAuthenticator::Create(ctx);
  ASSERT_TRUE(zap.ok());
  auto server_keys = CurveKeyPair::Generate();
  auto client_keys = CurveKeyPair::Generate();
  ASSERT_TRUE(server_keys.ok() && client_keys.ok());
  (*zap)->Allow("models", client_keys->public_z85, "coordinator");

  SocketOptions opts;
  opts.max_message_bytes = 2 * kChunkBytes;
  opts.send_hwm = 8;
  opts.recv_hwm = 8;
  opts.send_timeout = milliseconds(10000);
  auto server = ServerSocket::Bind(ctx, **zap, *server_keys, "models", "tcp://127.0.0.1:0", opts);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto client = ClientSocket::Connect(ctx, *client_keys, server_keys->public_z85,
                                      server->bound_endpoint(), opts);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE(client->WaitConnected(milliseconds(5000)).ok());

  const auto start = std::chrono::steady_clock::now();
  Status send_status;
  std::thread sender([&] {
    auto chunks = SplitChunks(payload, kChunkBytes);
    for (size_t i = 0; i < chunks.size(); ++i) {
      Bytes h = Header(kStream, i, i + 1 == chunks.size());
      send_status = client->Send({h, chunks[i]});
      if (!send_status.ok()) return;
    }
  });

  ChunkAssembler assembler(ChunkAssemblerOptions{.max_total_bytes = kPayloadBytes});
  std::optional<Bytes> received;
  size_t chunks_seen = 0;
  while (!received) {
    auto in = server->Receive(milliseconds(20000));
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    ASSERT_TRUE(in->has_value()) << "timed out after " << chunks_seen << " chunks";
    const Incoming& m = **in;
    ASSERT_EQ(m.peer_id, "coordinator");
    ASSERT_EQ(m.frames.size(), 2u);
    ASSERT_EQ(m.frames[0].size(), 17u);
    const uint8_t* h = m.frames[0].data();
    auto r = assembler.Accept(ReadU64BE(h), ReadU64BE(h + 8), h[16] != 0, m.frames[1]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ++chunks_seen;
    if (r->has_value()) received = std::move(**r);
  }
  sender.join();
  ASSERT_TRUE(send_status.ok()) << send_status.ToString();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(chunks_seen, kPayloadBytes / kChunkBytes);
  ASSERT_EQ(received->size(), kPayloadBytes);
  EXPECT_EQ(Sha256(*received), digest);
  std::printf("200 MB in %zu chunks over CURVE loopback: %.2f s (%.0f MB/s)\n", chunks_seen,
              secs, 200 / secs);
}

}  // namespace
}  // namespace fedtee::transport
