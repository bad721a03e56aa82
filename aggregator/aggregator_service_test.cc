// In-process loopback test of the aggregator Service: the test plays the coordinator and
// two participants over real CURVE sockets against a Service running in a thread.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aggregator/service.h"
#include "attestation/binding.h"
#include "attestation/sim/sim_attester.h"
#include "attestation/sim/sim_ca.h"
#include "base/clock.h"
#include "crypto/chunk_stream.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "federation/attested_aggregator.h"
#include "federation/envelope.h"
#include "federation/payload_stream.h"
#include "federation/receipt.h"
#include "federation/round_log.h"
#include "model/safetensors.h"

namespace fedtee::aggregator {
namespace {

using namespace std::chrono_literals;

constexpr char kCoordinatorDomain[] = "fedtee.coordinator.aggregator";
constexpr char kFederation[] = "loopback-fed";

model::ModelParams GlobalModel() {
  model::ModelParams m;
  EXPECT_TRUE(m.Add({"w", {2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}}).ok());
  EXPECT_TRUE(m.Add({"b", {2}, {0.5f, -0.5f}}).ok());
  return m;
}

// The coordinator's end: a ROUTER the aggregator's DEALER connects to.
class FakeCoordinator {
 public:
  FakeCoordinator() {
    zap_ = std::move(transport::ZapAuthenticator::Create(ctx_)).value();
    keys_ = transport::CurveKeyPair::Generate().value();
  }
  void Bind(const std::string& aggregator_key) {
    zap_->SetAllowed(kCoordinatorDomain, {{aggregator_key, "aggregator"}});
    socket_.emplace(
        transport::ServerSocket::Bind(ctx_, *zap_, keys_, kCoordinatorDomain, "tcp://127.0.0.1:0")
            .value());
  }
  const std::string& endpoint() const { return socket_->bound_endpoint(); }
  const std::string& public_key() const { return keys_.public_z85; }
  uint64_t last_round_ready() const { return last_round_ready_; }

  // The next envelope that is not a heartbeat (records the aggregator's routing id).
  std::optional<v1::Envelope> Next(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto in = socket_->Receive(100ms);
      if (!in.ok() || !in->has_value()) continue;
      routing_id_ = (*in)->routing_id;
      auto env = federation::Decode((*in)->frames.at(0));
      EXPECT_TRUE(env.ok());
      if (!env.ok()) return std::nullopt;
      if (env->has_heartbeat()) {
        ++heartbeats_;
        continue;
      }
      if (env->has_round_ready()) {  // the round's participants are admitted now
        last_round_ready_ = env->round_ready().round();
        continue;
      }
      return std::move(env).value();
    }
    return std::nullopt;
  }
  // Waits for the first heartbeat so that routing_id_ is known.
  bool WaitForAggregator() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (heartbeats_ == 0 && std::chrono::steady_clock::now() < deadline) {
      auto in = socket_->Receive(100ms);
      if (!in.ok() || !in->has_value()) continue;
      routing_id_ = (*in)->routing_id;
      ++heartbeats_;
    }
    return heartbeats_ > 0;
  }
  void Send(v1::Envelope env) {
    Bytes frame = federation::Encode(std::move(env));
    ASSERT_TRUE(socket_->Send(routing_id_, {ByteSpan(frame)}).ok());
  }
  void SendRaw(Bytes frame) { ASSERT_TRUE(socket_->Send(routing_id_, {ByteSpan(frame)}).ok()); }

 private:
  zmq::context_t ctx_;
  std::unique_ptr<transport::ZapAuthenticator> zap_;
  transport::CurveKeyPair keys_;
  std::optional<transport::ServerSocket> socket_;
  Bytes routing_id_;
  int heartbeats_ = 0;
  uint64_t last_round_ready_ = 0;  // round of the last RoundReady seen
};

// A participant's DEALER to the aggregator's data plane.
struct FakeParticipant {
  FakeParticipant(zmq::context_t& ctx, std::string id_, transport::CurveKeyPair keys_,
                  const std::string& server_key, const std::string& endpoint)
      : id(std::move(id_)), keys(std::move(keys_)) {
    socket.emplace(transport::ClientSocket::Connect(ctx, keys, server_key, endpoint).value());
  }
  void Send(v1::Envelope env) {
    Bytes frame = federation::Encode(std::move(env));
    ASSERT_TRUE(socket->Send({ByteSpan(frame)}).ok());
  }
  std::optional<v1::Envelope> Next(std::chrono::milliseconds timeout = 10s) {
    auto msg = socket->Receive(timeout);
    if (!msg.ok() || !msg->has_value()) return std::nullopt;
    auto env = federation::Decode((**msg).at(0));
    if (!env.ok()) return std::nullopt;
    return std::move(env).value();
  }
  std::string id;
  transport::CurveKeyPair keys;
  std::optional<transport::ClientSocket> socket;
};

// Every test runs with one ingest worker and with several: verdicts, replies and the
// aggregate must not depend on the thread count.
class ServiceTest : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    ca_ = std::make_unique<attestation::sim::SimCa>(
        attestation::sim::SimCa::Create(SystemClock::Get()).value());
    measurement_ = attestation::sim::MeasureSelf().value();
    auto attester = std::make_unique<attestation::sim::SimAttester>(*ca_, measurement_, 2, false,
                                                                    SystemClock::Get());
    auto keys = EnclaveKeys::Generate().value();
    coordinator_.Bind(keys->curve_public_z85());

    ServiceOptions o;
    o.coordinator_endpoint = coordinator_.endpoint();
    o.coordinator_key = coordinator_.public_key();
    o.heartbeat_interval = 100ms;
    o.poll_interval = 20ms;
    o.chunk_bytes = 64;  // several aggregate chunks even for a tiny model
    o.stream_idle_timeout = 1500ms;
    o.ingest_threads = GetParam();
    metrics_path_ = std::filesystem::temp_directory_path() /
                    ("fedtee_agg_metrics_" + std::to_string(::getpid()) + ".jsonl");
    std::filesystem::remove(metrics_path_);
    ASSERT_TRUE(metrics_.Open(metrics_path_.string(), "aggregator").ok());
    auto service = Service::Create(o, std::move(keys), std::move(attester), &metrics_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service).value();
    thread_ = std::thread([this] { run_status_ = service_->Run([this] { return stop_.load(); }); });
    ASSERT_TRUE(coordinator_.WaitForAggregator());

    policy_.platforms = {attestation::Platform::kSim};
    policy_.allowed_measurements = {measurement_};
    verify_.trusted_roots_der = {ca_->root_cert_der()};
  }
  void TearDown() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
    std::filesystem::remove(metrics_path_);
  }

  // AttestRequest -> AttestResponse, checked as a relying party would.
  federation::AttestedAggregator Attest(const std::function<void(v1::Envelope)>& send,
                                        const std::function<std::optional<v1::Envelope>()>& next) {
    Bytes challenge = crypto::RandomBytes(32);
    v1::Envelope req;
    req.mutable_attest_request()->set_challenge(ToString(challenge));
    send(req);
    auto resp = next();
    EXPECT_TRUE(resp && resp->has_attest_response());
    if (!resp || !resp->has_attest_response()) return {};
    auto checked =
        federation::CheckAttestResponse(resp->attest_response(), challenge, policy_, verify_,
                                        service_->keys().curve_public_z85(), SystemClock::Get());
    EXPECT_TRUE(checked.ok()) << checked.status().ToString();
    return checked.ok() ? *checked : federation::AttestedAggregator{};
  }

  // Sends RoundOpen for `ps` (id -> Z85 key) and the model payload.
  void OpenRound(uint64_t round, const std::map<std::string, std::string>& ps, uint32_t min) {
    model_bytes_ = model::SerializeSafetensors(GlobalModel());
    v1::Envelope env;
    auto* o = env.mutable_round_open();
    o->set_federation_id(kFederation);
    o->set_round(round);
    for (const auto& [id, key] : ps) {
      auto* k = o->add_participants();
      k->set_participant_id(id);
      k->set_curve_public_key(key);
    }
    o->set_min_participants(min);
    o->set_strategy("fedavg");
    o->set_model_bytes(model_bytes_.size());
    o->set_model_sha256(ToString(crypto::Sha256(model_bytes_)));
    o->set_last_committed_round(round - 1);
    o->set_log_head(federation::kGenesisHead);
    o->set_max_examples_per_update(1000);
    coordinator_.Send(env);
    ASSERT_TRUE(federation::SendPayload("model/" + std::to_string(round), model_bytes_, 50,
                                        [this](Bytes f) {
                                          coordinator_.SendRaw(std::move(f));
                                          return Status::Ok();
                                        })
                    .ok());
  }

  // Seals `delta` for `p` and streams it; returns the digest of the sealed stream.
  Bytes SubmitUpdate(FakeParticipant& p, const Bytes& hpke_pk, uint64_t round,
                     uint64_t num_examples, const std::vector<float>& delta) {
    auto sealer = crypto::ChunkSealer::Create(hpke_pk, {kFederation, round, p.id}).value();
    crypto::Hasher h(crypto::HashAlg::kSha256);
    h.Update(sealer.enc());
    v1::Envelope start;
    auto* s = start.mutable_update_start();
    s->set_federation_id(kFederation);
    s->set_round(round);
    s->set_participant_id(p.id);
    s->set_enc(ToString(sealer.enc()));
    p.Send(start);
    v1::UpdateHeader header;
    header.set_num_examples(num_examples);
    header.set_num_params(delta.size());
    header.add_tensor_names("w");
    header.add_tensor_names("b");
    std::vector<Bytes> pts = {ToBytes(header.SerializeAsString())};
    for (size_t i = 0; i < delta.size(); i += 4) {
      size_t n = std::min<size_t>(4, delta.size() - i);
      Bytes b(n * 4);
      std::memcpy(b.data(), delta.data() + i, b.size());
      pts.push_back(b);
    }
    for (size_t i = 0; i < pts.size(); ++i) {
      bool final = i + 1 == pts.size();
      Bytes ct = sealer.SealChunk(pts[i], final).value();
      h.Update(ct);
      v1::Envelope env;
      auto* c = env.mutable_update_chunk();
      c->set_round(round);
      c->set_index(i);
      c->set_final(final);
      c->set_ciphertext(ToString(ct));
      p.Send(env);
    }
    return h.Finish();
  }

  std::unique_ptr<attestation::sim::SimCa> ca_;
  Bytes measurement_;
  FakeCoordinator coordinator_;
  std::unique_ptr<Service> service_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  Status run_status_;
  attestation::Policy policy_;
  attestation::VerifyOptions verify_;
  Bytes model_bytes_;
  zmq::context_t participants_ctx_;
  federation::MetricsWriter metrics_;
  std::filesystem::path metrics_path_;

  // The metrics lines written so far.
  std::vector<nlohmann::json> MetricsLines() {
    std::vector<nlohmann::json> out;
    std::ifstream in(metrics_path_);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
};

TEST_P(ServiceTest, FullRoundOverLoopback) {
  // The coordinator attests the aggregator with its own challenge.
  auto attested = Attest([this](v1::Envelope e) { coordinator_.Send(std::move(e)); },
                         [this] { return coordinator_.Next(); });
  ASSERT_EQ(attested.data_endpoint, service_->data_endpoint());

  // Participants connect once the round is open: a connection that arrives before ZAP
  // admits its key is refused, and libzmq does not retry a refused handshake.
  auto alice_keys = transport::CurveKeyPair::Generate().value();
  auto bob_keys = transport::CurveKeyPair::Generate().value();
  OpenRound(1, {{"alice", alice_keys.public_z85}, {"bob", bob_keys.public_z85}}, 2);
  // A control-plane round trip: once answered, RoundOpen and the model were processed.
  Attest([this](v1::Envelope e) { coordinator_.Send(std::move(e)); },
         [this] { return coordinator_.Next(); });
  FakeParticipant alice(participants_ctx_, "alice", alice_keys, attested.curve_public_key,
                        attested.data_endpoint);
  FakeParticipant bob(participants_ctx_, "bob", bob_keys, attested.curve_public_key,
                      attested.data_endpoint);
  FakeParticipant carol(participants_ctx_, "carol", transport::CurveKeyPair::Generate().value(),
                        attested.curve_public_key, attested.data_endpoint);

  // Participants challenge the aggregator themselves.
  auto for_alice =
      Attest([&](v1::Envelope e) { alice.Send(std::move(e)); }, [&] { return alice.Next(); });
  ASSERT_EQ(for_alice.hpke_public_key, attested.hpke_public_key);

  // Carol is not in the round's set: ZAP refuses her connection.
  EXPECT_EQ(carol.socket->WaitConnected(5s).reason(), "transport.auth_denied");

  // Alice claims to be bob: refused by name.
  v1::Envelope spoof;
  spoof.mutable_update_start()->set_federation_id(kFederation);
  spoof.mutable_update_start()->set_round(1);
  spoof.mutable_update_start()->set_participant_id("bob");
  spoof.mutable_update_start()->set_enc(std::string(32, 'e'));
  alice.Send(spoof);
  auto err = alice.Next();
  ASSERT_TRUE(err && err->has_error());
  EXPECT_EQ(err->error().code(), "auth.id_mismatch");

  // Alice's update: 10 examples.
  const std::vector<float> da = {1, 1, 1, 1, 2, 2};
  Bytes digest_a = SubmitUpdate(alice, attested.hpke_public_key, 1, 10, da);
  auto st = alice.Next();
  ASSERT_TRUE(st && st->has_update_status()) << (st ? st->DebugString() : "timeout");
  EXPECT_TRUE(st->update_status().accepted()) << st->update_status().reason();
  EXPECT_EQ(ToBytes(st->update_status().update_digest()), digest_a);
  auto cst = coordinator_.Next();
  ASSERT_TRUE(cst && cst->has_update_status());
  EXPECT_EQ(cst->update_status().participant_id(), "alice");
  EXPECT_TRUE(cst->update_status().accepted());

  // A second update from alice in the same round is a duplicate.
  spoof.mutable_update_start()->set_participant_id("alice");
  alice.Send(spoof);
  err = alice.Next();
  ASSERT_TRUE(err && err->has_error());
  EXPECT_EQ(err->error().code(), "update.duplicate");

  // Finalize with one of the two required updates: refused, nothing released.
  v1::Envelope fin;
  fin.mutable_finalize()->set_round(1);
  coordinator_.Send(fin);
  auto refused = coordinator_.Next();
  ASSERT_TRUE(refused && refused->has_error());
  EXPECT_EQ(refused->error().code(), "round.too_few_updates");

  // Bob's update with a NaN is rejected to both sides and leaves no trace.
  std::vector<float> bad = {0, 0, std::nanf(""), 0, 0, 0};
  SubmitUpdate(bob, attested.hpke_public_key, 1, 30, bad);
  st = bob.Next();
  ASSERT_TRUE(st && st->has_update_status());
  EXPECT_FALSE(st->update_status().accepted());
  EXPECT_EQ(st->update_status().reason(), "update.non_finite");
  cst = coordinator_.Next();
  ASSERT_TRUE(cst && cst->has_update_status());
  EXPECT_FALSE(cst->update_status().accepted());

  // Bob's good update: 30 examples.
  const std::vector<float> db = {-1, 3, 0, 1, 2, -2};
  Bytes digest_b = SubmitUpdate(bob, attested.hpke_public_key, 1, 30, db);
  st = bob.Next();
  ASSERT_TRUE(st && st->has_update_status());
  EXPECT_TRUE(st->update_status().accepted()) << st->update_status().reason();
  cst = coordinator_.Next();
  ASSERT_TRUE(cst && cst->has_update_status());

  coordinator_.Send(fin);
  auto result = coordinator_.Next();
  ASSERT_TRUE(result && result->has_round_result()) << (result ? result->DebugString() : "");
  const auto& rr = result->round_result();
  federation::PayloadAssembler assembler("aggregate/1", rr.model_bytes(), 1 << 20);
  while (!assembler.complete()) {
    auto chunk = coordinator_.Next();
    ASSERT_TRUE(chunk && chunk->has_payload_chunk());
    ASSERT_TRUE(assembler.Add(chunk->payload_chunk()).ok());
  }
  Bytes aggregate = assembler.Take();

  auto receipt = federation::VerifyReceipt(AsBytes(rr.receipt()), AsBytes(rr.receipt_signature()),
                                           attested.receipt_public_key);
  ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
  EXPECT_EQ(receipt->federation_id(), kFederation);
  EXPECT_EQ(receipt->round(), 1u);
  EXPECT_EQ(receipt->strategy(), "fedavg");
  EXPECT_EQ(receipt->min_participants(), 2u);
  EXPECT_EQ(receipt->previous_log_head(), federation::kGenesisHead);
  EXPECT_EQ(ToBytes(receipt->model_sha256()), crypto::Sha256(aggregate));
  EXPECT_EQ(ToBytes(receipt->previous_model_sha256()), crypto::Sha256(model_bytes_));
  ASSERT_EQ(receipt->entries_size(), 2);
  EXPECT_EQ(receipt->entries(0).participant_id(), "alice");
  EXPECT_EQ(ToBytes(receipt->entries(0).update_digest()), digest_a);
  EXPECT_EQ(receipt->entries(0).num_examples(), 10u);
  EXPECT_EQ(receipt->entries(1).participant_id(), "bob");
  EXPECT_EQ(ToBytes(receipt->entries(1).update_digest()), digest_b);
  EXPECT_TRUE(federation::CheckReceiptIncludes(*receipt, "bob", digest_b).ok());
  // A tampered receipt does not verify.
  std::string tampered = rr.receipt();
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_FALSE(federation::VerifyReceipt(AsBytes(tampered), AsBytes(rr.receipt_signature()),
                                         attested.receipt_public_key)
                   .ok());

  // global + (10 * da + 30 * db) / 40
  auto next = model::ParseSafetensors(aggregate);
  ASSERT_TRUE(next.ok());
  auto g = GlobalModel().Flatten();
  auto out = next->Flatten();
  ASSERT_EQ(out.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_FLOAT_EQ(out[i], g[i] + (10 * da[i] + 30 * db[i]) / 40.0f) << i;
  }

  // A repeated Finalize gets the same signed result.
  coordinator_.Send(fin);
  auto again = coordinator_.Next();
  ASSERT_TRUE(again && again->has_round_result());
  EXPECT_EQ(again->round_result().receipt(), rr.receipt());

  // Metrics: one line per verdict and per round, never values.
  int accepted = 0, rejected = 0, released = 0, withheld = 0;
  for (const auto& m : MetricsLines()) {
    if (m["event"] == "update") (m["accepted"] == true ? accepted : rejected)++;
    if (m["event"] == "round") (m["released"] == true ? released : withheld)++;
  }
  EXPECT_EQ(accepted, 2);
  EXPECT_EQ(rejected, 1);
  EXPECT_EQ(released, 1);
  EXPECT_EQ(withheld, 1);

  // The aggregator told the coordinator when round 1's participants were admitted.
  EXPECT_EQ(coordinator_.last_round_ready(), 1u);

  // Replaying round 1 is a rollback.
  OpenRound(1, {{"alice", alice_keys.public_z85}, {"bob", bob_keys.public_z85}}, 2);
  auto rollback = coordinator_.Next();
  while (rollback && rollback->has_payload_chunk()) rollback = coordinator_.Next();
  ASSERT_TRUE(rollback && rollback->has_error());
  EXPECT_EQ(rollback->error().code(), "round.rollback");
}

TEST_P(ServiceTest, UpdateSealedForAnotherRoundIsRejected) {
  auto attested = Attest([this](v1::Envelope e) { coordinator_.Send(std::move(e)); },
                         [this] { return coordinator_.Next(); });
  auto alice_keys = transport::CurveKeyPair::Generate().value();
  OpenRound(4, {{"alice", alice_keys.public_z85}}, 1);
  Attest([this](v1::Envelope e) { coordinator_.Send(std::move(e)); },
         [this] { return coordinator_.Next(); });
  FakeParticipant alice(participants_ctx_, "alice", alice_keys, attested.curve_public_key,
                        attested.data_endpoint);

  // Sealed for round 3, sent as round 4.
  auto sealer = crypto::ChunkSealer::Create(attested.hpke_public_key, {kFederation, 3, "alice"});
  ASSERT_TRUE(sealer.ok());
  v1::Envelope start;
  start.mutable_update_start()->set_federation_id(kFederation);
  start.mutable_update_start()->set_round(4);
  start.mutable_update_start()->set_participant_id("alice");
  start.mutable_update_start()->set_enc(ToString(sealer->enc()));
  alice.Send(start);
  v1::UpdateHeader header;
  header.set_num_examples(5);
  header.set_num_params(6);
  v1::Envelope chunk;
  chunk.mutable_update_chunk()->set_round(4);
  chunk.mutable_update_chunk()->set_index(0);
  chunk.mutable_update_chunk()->set_ciphertext(
      ToString(*sealer->SealChunk(ToBytes(header.SerializeAsString()), false)));
  alice.Send(chunk);
  auto st = alice.Next();
  ASSERT_TRUE(st && st->has_update_status());
  EXPECT_FALSE(st->update_status().accepted());
  EXPECT_EQ(st->update_status().reason(), "update.open_failed");
  auto cst = coordinator_.Next();
  ASSERT_TRUE(cst && cst->has_update_status());
  EXPECT_EQ(cst->update_status().reason(), "update.open_failed");

  // Garbage frames and unexpected messages get named errors; the service keeps serving.
  coordinator_.SendRaw(ToBytes("not a protobuf envelope \xff\xff"));
  auto bad = coordinator_.Next();
  ASSERT_TRUE(bad && bad->has_error());
  EXPECT_EQ(bad->error().code(), "protocol.malformed");
  v1::Envelope join;
  join.mutable_join()->set_participant_id("alice");
  alice.Send(join);
  bad = alice.Next();
  ASSERT_TRUE(bad && bad->has_error());
  EXPECT_EQ(bad->error().code(), "protocol.unexpected");

  // Finalize with nothing accepted releases nothing.
  v1::Envelope fin;
  fin.mutable_finalize()->set_round(4);
  coordinator_.Send(fin);
  auto refused = coordinator_.Next();
  ASSERT_TRUE(refused && refused->has_error());
  EXPECT_EQ(refused->error().code(), "round.too_few_updates");
  auto nothing = coordinator_.Next(500ms);
  EXPECT_FALSE(nothing.has_value());
}

TEST_P(ServiceTest, IdleStreamTimesOutAndMayBeRetried) {
  auto attested = Attest([this](v1::Envelope e) { coordinator_.Send(std::move(e)); },
                         [this] { return coordinator_.Next(); });
  auto alice_keys = transport::CurveKeyPair::Generate().value();
  OpenRound(2, {{"alice", alice_keys.public_z85}}, 1);
  Attest([this](v1::Envelope e) { coordinator_.Send(std::move(e)); },
         [this] { return coordinator_.Next(); });
  FakeParticipant alice(participants_ctx_, "alice", alice_keys, attested.curve_public_key,
                        attested.data_endpoint);

  // UpdateStart, then silence: after the idle timeout the stream is rejected to both sides.
  auto sealer = crypto::ChunkSealer::Create(attested.hpke_public_key, {kFederation, 2, "alice"});
  ASSERT_TRUE(sealer.ok());
  v1::Envelope start;
  start.mutable_update_start()->set_federation_id(kFederation);
  start.mutable_update_start()->set_round(2);
  start.mutable_update_start()->set_participant_id("alice");
  start.mutable_update_start()->set_enc(ToString(sealer->enc()));
  alice.Send(start);
  auto st = alice.Next(5s);
  ASSERT_TRUE(st && st->has_update_status());
  EXPECT_EQ(st->update_status().reason(), "update.timeout");
  auto cst = coordinator_.Next();
  ASSERT_TRUE(cst && cst->has_update_status());
  EXPECT_EQ(cst->update_status().reason(), "update.timeout");

  // A rejected participant may send a fresh stream, which is accepted.
  SubmitUpdate(alice, attested.hpke_public_key, 2, 7, {1, 2, 3, 4, 5, 6});
  st = alice.Next();
  ASSERT_TRUE(st && st->has_update_status());
  EXPECT_TRUE(st->update_status().accepted()) << st->update_status().reason();
  v1::Envelope fin;
  fin.mutable_finalize()->set_round(2);
  coordinator_.Send(fin);
  cst = coordinator_.Next();  // alice's UpdateStatus
  ASSERT_TRUE(cst && cst->has_update_status());
  auto result = coordinator_.Next();
  ASSERT_TRUE(result && result->has_round_result());
  auto receipt = federation::VerifyReceipt(AsBytes(result->round_result().receipt()),
                                           AsBytes(result->round_result().receipt_signature()),
                                           attested.receipt_public_key);
  ASSERT_TRUE(receipt.ok());
  ASSERT_EQ(receipt->entries_size(), 1);
  EXPECT_EQ(receipt->entries(0).num_examples(), 7u);
}

INSTANTIATE_TEST_SUITE_P(IngestThreads, ServiceTest, ::testing::Values(size_t{1}, size_t{4}),
                         [](const auto& info) { return std::to_string(info.param) + "threads"; });

}  // namespace
}  // namespace fedtee::aggregator
