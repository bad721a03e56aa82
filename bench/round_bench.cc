// fedtee_bench_round: the cost of sealing in a whole round.
//
// One round: the participant seals its 10M-parameter delta chunk by chunk (HPKE, 1 MiB
// chunks) and sends UpdateStart + UpdateChunk envelopes over loopback ZeroMQ with CURVE (ZAP
// allowlist, as the data plane runs); the aggregator thread opens each chunk
// (UpdateIngest: open, digest, check, stage), commits into FedAvg, finalizes, signs a
// receipt over the new model's digest and the update's digest, and sends it back. Timed from
// the first seal to the receipt arriving, wall clock.
//
// Baseline (bench-only, in this file; no product binary can reach it): the same round with
// sealing replaced by a plaintext copy: the chunk carries the float32 bytes, the aggregator
// copies them into the same FedAvg stage, and the digest is SHA-256 over those bytes, so the
// only difference is HPKE seal/open versus a copy.
//
// Prints round_overhead_sealed_vs_plain (value = overhead in percent) and both times.
// Usage: fedtee_bench_round [--quick]
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "aggregator/fedavg.h"
#include "aggregator/update_ingest.h"
#include "bench/bench_util.h"
#include "crypto/digest.h"
#include "crypto/signature.h"
#include "federation/envelope.h"
#include "transport/socket.h"
#include "transport/zap_authenticator.h"

namespace fedtee::bench {
namespace {

constexpr char kDomain[] = "fedtee.bench.data";
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr uint64_t kRound = 1;

struct Net {
  zmq::context_t ctx;
  std::unique_ptr<transport::ZapAuthenticator> zap;
  std::optional<transport::ServerSocket> server;
  std::optional<transport::ClientSocket> client;
};

void Connect(Net& net) {
  auto server_keys = transport::CurveKeyPair::Generate();
  auto client_keys = transport::CurveKeyPair::Generate();
  Check(server_keys.status(), "curve keys");
  Check(client_keys.status(), "curve keys");
  auto zap = transport::ZapAuthenticator::Create(net.ctx);
  Check(zap.status(), "zap");
  net.zap = std::move(zap).value();
  net.zap->SetAllowed(kDomain, {{client_keys->public_z85, "p0"}});
  transport::SocketOptions o;
  o.max_message_bytes = size_t{4} << 20;
  o.send_timeout = std::chrono::milliseconds(30000);
  auto server = transport::ServerSocket::Bind(net.ctx, *net.zap, *server_keys, kDomain,
                                              "tcp://127.0.0.1:0", o);
  Check(server.status(), "bind");
  net.server.emplace(std::move(server).value());
  auto client = transport::ClientSocket::Connect(net.ctx, *client_keys, server_keys->public_z85,
                                                 net.server->bound_endpoint(), o);
  Check(client.status(), "connect");
  net.client.emplace(std::move(client).value());
}

Bytes Frame(v1::Envelope env) { return federation::Encode(std::move(env)); }

// The aggregator's side of one round; returns after sending the receipt.
void AggregatorRound(Net& net, bool sealed, const crypto::X25519KeyPair& hpke,
                     const crypto::SigningKey& signer, size_t params) {
  const aggregator::ModelLayout layout{{"w"}, params};
  aggregator::FedAvg fedavg;
  fedavg.Reset(std::vector<float>(params, 0.25f));
  std::unique_ptr<aggregator::UpdateIngest> ingest;
  std::optional<aggregator::StageId> stage;
  crypto::Hasher plain_digest(crypto::HashAlg::kSha256);
  Bytes routing, update_digest;
  for (bool done = false; !done;) {
    auto msg = net.server->Receive(std::chrono::milliseconds(30000));
    Check(msg.status(), "receive");
    Check(msg->has_value(), "receive timeout");
    routing = (*msg)->routing_id;
    auto env = federation::Decode((*msg)->frames[0]);
    Check(env.status(), "decode");
    if (env->has_update_start()) {
      if (sealed) {
        auto in = aggregator::UpdateIngest::Begin(hpke, AsBytes(env->update_start().enc()),
                                                  {"fed", kRound, "p0", 1'000'000}, layout, fedavg);
        Check(in.status(), "Begin");
        ingest = std::move(in).value();
      } else {
        auto id = fedavg.Stage(100);
        Check(id.status(), "Stage");
        stage = *id;
      }
      continue;
    }
    const v1::UpdateChunk& c = env->update_chunk();
    if (sealed) {
      auto r = ingest->AddChunk(c);
      Check(r.status(), "AddChunk");
      done = *r;
    } else {
      const std::string& pt = c.ciphertext();
      plain_digest.Update(AsBytes(pt));
      if (c.index() > 0) {
        std::span<const float> v(reinterpret_cast<const float*>(pt.data()), pt.size() / 4);
        Check(fedavg.Append(*stage, v), "Append");
      }
      if (c.final()) {
        Check(fedavg.Commit(*stage), "Commit");
        done = true;
      }
    }
  }
  update_digest = sealed ? ingest->digest() : plain_digest.Finish();
  auto model = fedavg.Finalize();
  Check(model.status(), "Finalize");
  const Bytes model_digest = crypto::Sha256(
      {reinterpret_cast<const uint8_t*>(model->data()), model->size() * sizeof(float)});
  v1::Receipt receipt;
  receipt.set_federation_id("fed");
  receipt.set_round(kRound);
  receipt.set_strategy("fedavg");
  receipt.set_model_sha256(ToString(model_digest));
  auto* e = receipt.add_entries();
  e->set_participant_id("p0");
  e->set_update_digest(ToString(update_digest));
  e->set_num_examples(100);
  const std::string bytes = receipt.SerializeAsString();
  auto sig = signer.Sign(AsBytes(bytes));
  Check(sig.status(), "sign");
  v1::Envelope env;
  env.mutable_round_result()->set_round(kRound);
  env.mutable_round_result()->set_receipt(bytes);
  env.mutable_round_result()->set_receipt_signature(ToString(*sig));
  const Bytes f = Frame(std::move(env));
  Check(net.server->Send(routing, {ByteSpan(f)}), "send receipt");
}

// The participant's side: seal (or copy) and send chunk by chunk, then wait for the receipt.
void ParticipantRound(Net& net, bool sealed, ByteSpan hpke_pk, const std::vector<float>& delta) {
  std::optional<crypto::ChunkSealer> sealer;
  v1::Envelope start;
  auto* s = start.mutable_update_start();
  s->set_federation_id("fed");
  s->set_round(kRound);
  s->set_participant_id("p0");
  if (sealed) {
    auto cs = crypto::ChunkSealer::Create(hpke_pk, {"fed", kRound, "p0"});
    Check(cs.status(), "sealer");
    sealer.emplace(std::move(*cs));
    s->set_enc(ToString(sealer->enc()));
  }
  Bytes f = Frame(std::move(start));
  Check(net.client->Send({ByteSpan(f)}), "send start");
  const size_t per = kChunkBytes / 4;
  const size_t n_chunks = 1 + (delta.size() + per - 1) / per;
  v1::UpdateHeader header;
  header.set_num_examples(100);
  header.set_num_params(delta.size());
  header.add_tensor_names("w");
  const std::string header_bytes = header.SerializeAsString();
  for (size_t i = 0; i < n_chunks; ++i) {
    const bool final = i + 1 == n_chunks;
    ByteSpan pt = i == 0 ? AsBytes(header_bytes)
                         : ByteSpan(reinterpret_cast<const uint8_t*>(delta.data() + (i - 1) * per),
                                    std::min(per, delta.size() - (i - 1) * per) * 4);
    v1::Envelope env;
    auto* c = env.mutable_update_chunk();
    c->set_round(kRound);
    c->set_index(i);
    c->set_final(final);
    std::string* body = c->mutable_ciphertext();
    if (sealed) {
      body->resize(pt.size() + crypto::kChunkTagSize);
      Check(sealer->SealChunkInto(pt, final,
                                  {reinterpret_cast<uint8_t*>(body->data()), body->size()}),
            "seal");
    } else {
      body->assign(reinterpret_cast<const char*>(pt.data()), pt.size());  // the plaintext copy
    }
    f = Frame(std::move(env));
    Check(net.client->Send({ByteSpan(f)}), "send chunk");
  }
  auto reply = net.client->Receive(std::chrono::milliseconds(60000));
  Check(reply.status(), "receipt");
  Check(reply->has_value(), "receipt timeout");
}

}  // namespace
}  // namespace fedtee::bench

int main(int argc, char** argv) {
  using namespace fedtee;
  using namespace fedtee::bench;
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const size_t params = quick ? 2'500'000 : 10'000'000;
  const int reps = quick ? 2 : 5;
  Net net;
  Connect(net);
  auto hpke = crypto::X25519KeyPair::Generate();
  Check(hpke.status(), "hpke key");
  auto signer = crypto::SigningKey::Generate();
  Check(signer.status(), "signing key");
  std::vector<float> delta(params);
  FillDelta(1, 0, delta);
  double best[2] = {1e30, 1e30};
  for (int r = 0; r < reps + 1; ++r) {  // the first pair warms the connection up, untimed
    for (int sealed = 1; sealed >= 0; --sealed) {
      const double t = WallSeconds([&] {
        std::thread agg([&] { AggregatorRound(net, sealed, *hpke, *signer, params); });
        ParticipantRound(net, sealed, hpke->public_key(), delta);
        agg.join();
      });
      if (r > 0) best[sealed] = std::min(best[sealed], t);
    }
  }
  const double overhead = (best[1] / best[0] - 1) * 100;
  Print({"round_overhead_sealed_vs_plain", overhead, "%", true, best[0], best[0] / best[1],
         std::to_string(params) + " params, 1 participant, 1 MiB chunks, loopback CURVE; sealed " +
             std::to_string(best[1]) + " s vs plaintext copy " + std::to_string(best[0]) +
             " s (baseline, s), best of " + std::to_string(reps)});
  return 0;
}
