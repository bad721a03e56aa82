// The participant's side of attestation and submission, against a fake aggregator on
// loopback that answers with simulated evidence: a policy that pins another measurement
// refuses, and then nothing but the AttestRequest ever reaches the aggregator.
#include "participant/aggregator_session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "attestation/binding.h"
#include "attestation/errors.h"
#include "attestation/evidence.h"
#include "attestation/sim/sim_test_util.h"
#include "crypto/chunk_stream.h"
#include "crypto/digest.h"
#include "crypto/signature.h"
#include "federation/attested_aggregator.h"
#include "federation/envelope.h"
#include "transport/zap_authenticator.h"

namespace fedtee::participant {
namespace {

namespace simt = attestation::sim::testing;

attestation::Policy SimPolicy(const Bytes& allowed_measurement) {
  attestation::Policy p;
  p.platforms = {attestation::Platform::kSim};
  p.allowed_measurements = {allowed_measurement};
  return p;
}

// The aggregator's three keys and a way to answer a challenge with bound sim evidence.
struct FakeAggregatorKeys {
  crypto::X25519KeyPair hpke = crypto::X25519KeyPair::Generate().value();
  transport::CurveKeyPair curve = transport::CurveKeyPair::Generate().value();
  crypto::SigningKey receipt = crypto::SigningKey::Generate().value();

  v1::AttestResponse Answer(simt::SimWorld& world, ByteSpan challenge) const {
    Bytes curve_raw(32);
    EXPECT_NE(zmq_z85_decode(curve_raw.data(), curve.public_z85.c_str()), nullptr);
    attestation::ReportData rd =
        attestation::BindReportData(hpke.public_key(), curve_raw, receipt.public_key(), challenge);
    attestation::Evidence e = world.Attest(rd);
    v1::AttestResponse r;
    Bytes ev = attestation::SerializeEvidence(e);
    EXPECT_TRUE(r.mutable_evidence()->ParseFromArray(ev.data(), static_cast<int>(ev.size())));
    r.set_hpke_public_key(ToString(hpke.public_key()));
    r.set_curve_public_key(curve.public_z85);
    r.set_receipt_public_key(ToString(receipt.public_key()));
    r.set_data_endpoint("tcp://127.0.0.1:0");
    return r;
  }
};

TEST(AttestationRefusalTest, PolicyPinningAnotherMeasurementRefuses) {
  simt::SimWorld world;
  FakeAggregatorKeys keys;
  Bytes challenge(32, 0x11);
  v1::AttestResponse response = keys.Answer(world, challenge);

  // The same response passes a policy that allows the aggregator's measurement...
  auto ok = federation::CheckAttestResponse(response, challenge, SimPolicy(simt::Measurement()),
                                            world.Options(), keys.curve.public_z85, world.clock);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->measurement_hex, HexEncode(simt::Measurement()));
  EXPECT_EQ(ok->platform, "sim");
  EXPECT_EQ(ok->hpke_public_key, keys.hpke.public_key());

  // ...and is refused by one that pins another binary.
  Bytes other = simt::Measurement(0xcd);
  auto refused = federation::CheckAttestResponse(
      response, challenge, SimPolicy(other), world.Options(), keys.curve.public_z85, world.clock);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.status().reason(), attestation::errors::kPolicyRejected);
  EXPECT_NE(refused.status().message().find(attestation::errors::kMeasurementNotAllowed),
            std::string::npos)
      << refused.status().ToString();
  std::string refusal = RefusalText(refused.status());
  EXPECT_EQ(refusal.rfind("policy.rejected: ", 0), 0u) << refusal;

  // A response to another challenge (a replay) is refused too.
  Bytes fresh(32, 0x22);
  auto replay =
      federation::CheckAttestResponse(response, fresh, SimPolicy(simt::Measurement()),
                                      world.Options(), keys.curve.public_z85, world.clock);
  EXPECT_EQ(replay.status().reason(), attestation::errors::kPolicyRejected);
  EXPECT_NE(replay.status().message().find(attestation::errors::kReportDataMismatch),
            std::string::npos);
}

// A fake aggregator on loopback: answers AttestRequest with bound sim evidence, opens the
// update stream and answers UpdateStatus. Counts every message it receives.
class FakeAggregator {
 public:
  FakeAggregator(simt::SimWorld& world, const std::string& participant_key) : world_(world) {
    zap_ = transport::ZapAuthenticator::Create(context_).value();
    zap_->Allow("data", participant_key, "hospital-1");
    server_.emplace(
        transport::ServerSocket::Bind(context_, *zap_, keys_.curve, "data", "tcp://127.0.0.1:*")
            .value());
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeAggregator() {
    stop_ = true;
    thread_.join();
    server_.reset();
    zap_.reset();
  }

  std::string endpoint() const { return server_->bound_endpoint(); }
  const FakeAggregatorKeys& keys() const { return keys_; }
  int messages() const { return messages_.load(); }
  int attest_requests() const { return attest_requests_.load(); }
  std::vector<float> opened_values() const {
    std::lock_guard<std::mutex> l(mu_);
    return values_;
  }

 private:
  void Serve() {
    std::optional<crypto::ChunkOpener> opener;
    crypto::Hasher hasher(crypto::HashAlg::kSha256);
    while (!stop_) {
      auto in = server_->Receive(std::chrono::milliseconds(50));
      if (!in.ok() || !in->has_value()) continue;
      ++messages_;
      auto env = federation::Decode((*in)->frames[0]);
      if (!env.ok()) continue;
      v1::Envelope reply;
      if (env->has_attest_request()) {
        ++attest_requests_;
        *reply.mutable_attest_response() =
            keys_.Answer(world_, AsBytes(env->attest_request().challenge()));
      } else if (env->has_update_start()) {
        const auto& s = env->update_start();
        opener.emplace(
            crypto::ChunkOpener::Create(keys_.hpke, AsBytes(s.enc()),
                                        {s.federation_id(), s.round(), s.participant_id()})
                .value());
        hasher = crypto::Hasher(crypto::HashAlg::kSha256);
        hasher.Update(AsBytes(s.enc()));
        continue;
      } else if (env->has_update_chunk()) {
        const auto& c = env->update_chunk();
        hasher.Update(AsBytes(c.ciphertext()));
        auto pt = opener->OpenChunk(c.index(), c.final(), AsBytes(c.ciphertext()));
        if (!pt.ok()) continue;
        if (c.index() > 0) {
          std::lock_guard<std::mutex> l(mu_);
          for (size_t i = 0; i + 4 <= pt->size(); i += 4) {
            float f;
            std::memcpy(&f, pt->data() + i, 4);
            values_.push_back(f);
          }
        }
        if (!c.final()) continue;
        auto* st = reply.mutable_update_status();
        st->set_round(c.round());
        st->set_participant_id((*in)->peer_id);
        st->set_accepted(true);
        st->set_update_digest(ToString(hasher.Finish()));
      } else {
        continue;
      }
      Bytes frame = federation::Encode(reply);
      (void)server_->Send((*in)->routing_id, {ByteSpan(frame)});
    }
  }

  simt::SimWorld& world_;
  FakeAggregatorKeys keys_;
  zmq::context_t context_;
  std::unique_ptr<transport::ZapAuthenticator> zap_;
  std::optional<transport::ServerSocket> server_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> messages_{0};
  std::atomic<int> attest_requests_{0};
  mutable std::mutex mu_;
  std::vector<float> values_;
};

model::ModelParams SmallDelta() {
  model::ModelParams p;
  EXPECT_TRUE(p.Add({"linear.weight", {2, 3}, {0.5f, -1, 2, 0, 1e-3f, -7}}).ok());
  EXPECT_TRUE(p.Add({"linear.bias", {2}, {0.25f, -0.25f}}).ok());
  return p;
}

AggregatorSessionOptions FastOptions() {
  AggregatorSessionOptions o;
  o.connect_timeout = std::chrono::milliseconds(5000);
  o.attest_timeout = std::chrono::milliseconds(5000);
  o.update_status_timeout = std::chrono::milliseconds(5000);
  return o;
}

TEST(AggregatorSessionTest, AttestsThenSubmitsASealedDelta) {
  simt::SimWorld world;
  auto me = transport::CurveKeyPair::Generate().value();
  FakeAggregator agg(world, me.public_z85);
  zmq::context_t ctx;
  auto session = AggregatorSession::Connect(ctx, me, agg.endpoint(), agg.keys().curve.public_z85,
                                            FastOptions());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto attested =
      session->Attest(SimPolicy(simt::Measurement()), world.Options(), world.clock, nullptr);
  ASSERT_TRUE(attested.ok()) << attested.status().ToString();
  EXPECT_EQ(session->challenge().size(), 32u);
  EXPECT_EQ(attested->receipt_public_key, agg.keys().receipt.public_key());

  auto sealed =
      SealUpdate(SmallDelta(), 10, 0.3, attested->hpke_public_key, {"fed", 1, "hospital-1"}, 8)
          .value();
  auto status = session->Submit(sealed, nullptr);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->accepted());
  EXPECT_EQ(ToBytes(status->update_digest()), sealed.digest);
  EXPECT_EQ(agg.opened_values(), SmallDelta().Flatten());
}

TEST(AggregatorSessionTest, WrongMeasurementRefusesAndSendsNothingButTheChallenge) {
  simt::SimWorld world;
  auto me = transport::CurveKeyPair::Generate().value();
  FakeAggregator agg(world, me.public_z85);
  zmq::context_t ctx;
  auto session = AggregatorSession::Connect(ctx, me, agg.endpoint(), agg.keys().curve.public_z85,
                                            FastOptions());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto attested =
      session->Attest(SimPolicy(simt::Measurement(0x01)), world.Options(), world.clock, nullptr);
  ASSERT_FALSE(attested.ok());
  EXPECT_EQ(attested.status().reason(), attestation::errors::kPolicyRejected);
  EXPECT_NE(attested.status().message().find("policy.measurement_not_allowed"), std::string::npos);

  auto sealed =
      SealUpdate(SmallDelta(), 10, 0.3, agg.keys().hpke.public_key(), {"fed", 1, "hospital-1"})
          .value();
  auto status = session->Submit(sealed, nullptr);
  EXPECT_EQ(status.status().reason(), "aggregator.not_attested");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(agg.messages(), 1);  // the AttestRequest only
  EXPECT_EQ(agg.attest_requests(), 1);
}

TEST(AggregatorSessionTest, AnotherServerKeyNeverCompletesTheHandshake) {
  simt::SimWorld world;
  auto me = transport::CurveKeyPair::Generate().value();
  FakeAggregator agg(world, me.public_z85);
  zmq::context_t ctx;
  auto impostor = transport::CurveKeyPair::Generate().value();
  AggregatorSessionOptions o = FastOptions();
  o.connect_timeout = std::chrono::milliseconds(1500);
  auto session = AggregatorSession::Connect(ctx, me, agg.endpoint(), impostor.public_z85, o);
  ASSERT_FALSE(session.ok());
  EXPECT_TRUE(session.status().reason() == "transport.handshake_failed" ||
              session.status().reason() == "transport.connect_timeout")
      << session.status().ToString();
  EXPECT_EQ(agg.messages(), 0);
}

TEST(AggregatorSessionTest, SilentAggregatorTimesOutAndIdleCanStop) {
  simt::SimWorld world;
  auto me = transport::CurveKeyPair::Generate().value();
  // A server that admits us but never answers.
  zmq::context_t server_ctx;
  auto zap = transport::ZapAuthenticator::Create(server_ctx).value();
  zap->Allow("data", me.public_z85, "hospital-1");
  auto server_keys = transport::CurveKeyPair::Generate().value();
  auto server =
      transport::ServerSocket::Bind(server_ctx, *zap, server_keys, "data", "tcp://127.0.0.1:*")
          .value();
  zmq::context_t ctx;
  AggregatorSessionOptions o = FastOptions();
  o.attest_timeout = std::chrono::milliseconds(600);
  auto session =
      AggregatorSession::Connect(ctx, me, server.bound_endpoint(), server_keys.public_z85, o);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto timed_out =
      session->Attest(SimPolicy(simt::Measurement()), world.Options(), world.clock, nullptr);
  EXPECT_EQ(timed_out.status().reason(), "aggregator.timeout");
  int calls = 0;
  auto stopped = session->Attest(SimPolicy(simt::Measurement()), world.Options(), world.clock,
                                 [&] { return ++calls < 2; });
  EXPECT_EQ(stopped.status().reason(), "participant.stopping");
}

}  // namespace
}  // namespace fedtee::participant
