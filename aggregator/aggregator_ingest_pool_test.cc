#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <limits>
#include <memory>

#include "aggregator/fedavg.h"
#include "aggregator/ingest_pool.h"
#include "aggregator/update_ingest.h"
#include "crypto/chunk_stream.h"

namespace fedtee::aggregator {
namespace {

TEST(IngestPoolTest, KeepsPerLaneOrderAndRunsEverything) {
  IngestPool pool(3, /*max_queued=*/2);
  constexpr int kPerLane = 200;
  std::vector<std::vector<int>> seen(3);
  for (int i = 0; i < kPerLane; ++i) {
    for (size_t lane = 0; lane < 3; ++lane) {
      pool.Post(lane, [&seen, lane, i] { seen[lane].push_back(i); });
    }
  }
  pool.Drain();
  for (const auto& s : seen) {
    ASSERT_EQ(s.size(), size_t{kPerLane});
    for (int i = 0; i < kPerLane; ++i) EXPECT_EQ(s[i], i);
  }
}

TEST(IngestPoolTest, AssignsTheLeastLoadedLane) {
  IngestPool pool(2);
  EXPECT_EQ(pool.AssignLane(), 0u);
  EXPECT_EQ(pool.AssignLane(), 1u);
  EXPECT_EQ(pool.AssignLane(), 0u);
  pool.ReleaseLane(1);
  EXPECT_EQ(pool.AssignLane(), 1u);
}

TEST(IngestPoolTest, DestructionRunsQueuedTasksAndReleasesWhatTheyHold) {
  auto held = std::make_shared<int>(7);
  std::atomic<int> ran{0};
  {
    IngestPool pool(2);
    for (int i = 0; i < 10; ++i) pool.Post(i, [&ran, held] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 10);
  EXPECT_EQ(held.use_count(), 1);
}

// --- Streams through the pool, as the service drives them -------------------------------

struct Sealed {
  std::string id;
  Bytes enc;
  std::vector<v1::UpdateChunk> chunks;
};

constexpr uint64_t kRound = 4;
constexpr size_t kParams = 10'000;

Sealed Seal(ByteSpan pk, const std::string& id, uint64_t num_examples,
            const std::vector<float>& values, size_t per_chunk) {
  auto sealer = crypto::ChunkSealer::Create(pk, {"fed", kRound, id});
  EXPECT_TRUE(sealer.ok());
  Sealed s{id, sealer->enc(), {}};
  v1::UpdateHeader header;
  header.set_num_examples(num_examples);
  header.set_num_params(values.size());
  header.add_tensor_names("w");
  std::vector<Bytes> plaintexts = {ToBytes(header.SerializeAsString())};
  for (size_t i = 0; i < values.size(); i += per_chunk) {
    const size_t n = std::min(per_chunk, values.size() - i);
    Bytes b(n * 4);
    std::memcpy(b.data(), values.data() + i, b.size());
    plaintexts.push_back(std::move(b));
  }
  for (size_t i = 0; i < plaintexts.size(); ++i) {
    const bool final = i + 1 == plaintexts.size();
    auto ct = sealer->SealChunk(plaintexts[i], final);
    EXPECT_TRUE(ct.ok());
    v1::UpdateChunk c;
    c.set_round(kRound);
    c.set_index(i);
    c.set_final(final);
    c.set_ciphertext(ToString(*ct));
    s.chunks.push_back(std::move(c));
  }
  return s;
}

std::vector<float> Values(uint32_t seed) {
  std::vector<float> v(kParams);
  uint32_t x = seed * 2654435761u + 1;
  for (float& f : v) {
    x = x * 1664525u + 1013904223u;
    f = static_cast<float>(static_cast<int32_t>(x >> 8) - (1 << 23)) / float(1 << 20);
  }
  return v;
}

struct Outcome {
  std::vector<float> aggregate;
  std::map<std::string, std::string> verdicts;  // id -> "" (accepted) or reason
};

// Opens every stream through a pool of `threads` workers, chunks interleaved round-robin
// across streams (arrival order), each stream on its own lane as the service does.
Outcome Ingest(const crypto::X25519KeyPair& key, const std::vector<Sealed>& streams,
               size_t threads) {
  FedAvg fedavg;
  fedavg.Reset(std::vector<float>(kParams, 0.5f));
  SharedStrategy shared(fedavg);
  const ModelLayout layout{{"w"}, kParams};
  Outcome out;
  {
    IngestPool pool(threads);
    struct Live {
      std::unique_ptr<UpdateIngest> ingest;
      size_t lane;
      std::mutex mu;
      std::string verdict = "pending";
    };
    std::vector<std::unique_ptr<Live>> live;
    for (const Sealed& s : streams) {
      auto ingest = UpdateIngest::Begin(key, s.enc, {"fed", kRound, s.id, 1000}, layout, shared);
      EXPECT_TRUE(ingest.ok());
      live.push_back(std::make_unique<Live>());
      live.back()->ingest = std::move(ingest).value();
      live.back()->lane = pool.AssignLane();
    }
    size_t most = 0;
    for (const Sealed& s : streams) most = std::max(most, s.chunks.size());
    for (size_t c = 0; c < most; ++c) {
      for (size_t i = 0; i < streams.size(); ++i) {
        if (c >= streams[i].chunks.size()) continue;
        Live* l = live[i].get();
        const v1::UpdateChunk* chunk = &streams[i].chunks[c];
        pool.Post(l->lane, [l, chunk] {
          auto r = l->ingest->AddChunk(*chunk);
          std::lock_guard lock(l->mu);
          if (!r.ok()) {
            if (l->verdict == "pending") l->verdict = r.status().reason();
          } else if (*r) {
            l->verdict = "";
          }
        });
      }
    }
    pool.Drain();
    for (size_t i = 0; i < streams.size(); ++i) out.verdicts[streams[i].id] = live[i]->verdict;
  }
  auto agg = fedavg.Finalize();
  EXPECT_TRUE(agg.ok()) << agg.status().ToString();
  if (agg.ok()) out.aggregate = *agg;
  EXPECT_EQ(fedavg.in_flight(), 0u);
  return out;
}

class PoolIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<crypto::X25519KeyPair>(*crypto::X25519KeyPair::Generate());
    for (int i = 0; i < 6; ++i) {
      streams_.push_back(
          Seal(key_->public_key(), "p" + std::to_string(i), 10 + 7 * i, Values(i), 1000 + 37 * i));
    }
  }
  std::unique_ptr<crypto::X25519KeyPair> key_;
  std::vector<Sealed> streams_;
};

TEST_F(PoolIngestTest, OneAndManyThreadsGiveTheSameBits) {
  const Outcome one = Ingest(*key_, streams_, 1);
  for (size_t threads : {2u, 3u, 8u}) {
    const Outcome many = Ingest(*key_, streams_, threads);
    EXPECT_EQ(many.verdicts, one.verdicts);
    ASSERT_EQ(many.aggregate.size(), one.aggregate.size());
    EXPECT_EQ(std::memcmp(many.aggregate.data(), one.aggregate.data(),
                          one.aggregate.size() * sizeof(float)),
              0)
        << threads << " threads";
  }
  for (const auto& [id, v] : one.verdicts) EXPECT_EQ(v, "") << id;
}

TEST_F(PoolIngestTest, FailingStreamsLeaveNoTrace) {
  const Outcome clean = Ingest(*key_, streams_, 1);
  // Each failure midway: a tampered chunk, a NaN, a stream cut short. Different
  // participants of course (ids p6..p8), interleaved with the good ones.
  std::vector<Sealed> with_bad = streams_;
  Sealed tampered = Seal(key_->public_key(), "p6", 50, Values(6), 900);
  tampered.chunks[5].mutable_ciphertext()->at(3) ^= 1;
  std::vector<float> nan_values = Values(7);
  nan_values[kParams - 3] = std::numeric_limits<float>::quiet_NaN();
  Sealed nan = Seal(key_->public_key(), "p7", 50, nan_values, 1200);
  Sealed cut = Seal(key_->public_key(), "p8", 50, Values(8), 800);
  cut.chunks.resize(cut.chunks.size() - 1);  // never completes: destroyed with its stage
  with_bad.insert(with_bad.begin() + 2, tampered);
  with_bad.insert(with_bad.begin() + 4, nan);
  with_bad.push_back(cut);
  for (size_t threads : {1u, 3u}) {
    const Outcome o = Ingest(*key_, with_bad, threads);
    EXPECT_EQ(o.verdicts.at("p6"), "update.open_failed");
    EXPECT_EQ(o.verdicts.at("p7"), "update.non_finite");
    EXPECT_EQ(o.verdicts.at("p8"), "pending");
    ASSERT_EQ(o.aggregate.size(), clean.aggregate.size());
    EXPECT_EQ(std::memcmp(o.aggregate.data(), clean.aggregate.data(),
                          clean.aggregate.size() * sizeof(float)),
              0);
  }
}

TEST(ScanValuesTest, FindsTheFirstNonFiniteAndSumsSquares) {
  std::vector<float> v(10'001, 0.5f);
  ValueScan s = ScanValues(v);
  EXPECT_EQ(s.first_non_finite, v.size());
  EXPECT_DOUBLE_EQ(s.squared_norm, 0.25 * v.size());
  for (size_t at : {size_t{0}, size_t{15}, size_t{4096}, size_t{9999}, size_t{10'000}}) {
    std::vector<float> w = v;
    w[at] = std::numeric_limits<float>::infinity();
    if (at + 1 < w.size()) w[at + 1] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(ScanValues(w).first_non_finite, at);
  }
  EXPECT_EQ(ScanValues({}).first_non_finite, 0u);
}

}  // namespace
}  // namespace fedtee::aggregator
