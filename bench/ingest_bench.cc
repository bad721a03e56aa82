// fedtee_bench_ingest: the aggregator's ingest path (aggregator/update_ingest.h, the
// IngestPool and the strategies) against its ceiling, OpenSSL AES-256-GCM.
//
// Figures (one JSON line each; MB = 10^6 bytes; see bench/README.md):
//   ingest_vs_aesgcm_1t            sealed bytes/s through open + check + accumulate
//                                  (UpdateIngest into FedAvg: Stage, Append, Commit) vs raw
//                                  AES-256-GCM decrypt of the same chunk sizes, one thread,
//                                  thread CPU time; 10M-parameter updates, 1 MiB chunks
//   ingest_vs_aesgcm_1t.chunk_<n>  the same at other chunk sizes (64 KiB .. 4 MiB)
//   ingest_open_check_vs_aesgcm_1t open + check + Append only (no Commit): the ingest's own
//                                  share, apart from the strategy's fold
//   ingest_speedup_2t              wall time of 1 vs 2 IngestPool workers on 8 different
//                                  participants' streams (two streams in flight at a time)
//   fedavg_10x10M_sealed           wall time of 10 sealed 10M-parameter updates opened and
//                                  FedAvg-aggregated with the default ingest threads; with
//                                  --numpy-seconds S it is printed as
//                                  fedavg_vs_numpy_flower_style against S
//   rss_32_vs_2_participants       peak RSS (VmHWM via wait4) of a child process ingesting
//                                  2 and 32 participants' 10M-parameter FedAvg updates
//   strategy_time.<name>           per round, 10 updates x 1M parameters, every strategy
//                                  the catalog knows (plaintext Stage/Append/Commit/Finalize)
//
// Usage: fedtee_bench_ingest [--quick] [--numpy-seconds S] [--skip NAME]...
//        fedtee_bench_ingest --rss-child PARTICIPANTS   (internal)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "aggregator/fedavg.h"
#include "aggregator/ingest_pool.h"
#include "aggregator/strategies/catalog.h"
#include "aggregator/update_ingest.h"
#include "bench/bench_util.h"
#include "crypto/digest.h"

namespace fedtee::bench {
namespace {

using aggregator::FedAvg;
using aggregator::IngestPool;
using aggregator::ModelLayout;
using aggregator::SharedStrategy;
using aggregator::Strategy;
using aggregator::UpdateIngest;

constexpr uint64_t kRound = 1;
constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kTenM = 10'000'000;

struct Sealed {
  std::string id;
  Bytes enc;
  std::vector<v1::UpdateChunk> chunks;
  size_t bytes = 0;  // ciphertext bytes
};

Sealed MakeSealed(const crypto::X25519KeyPair& key, int i, size_t params, size_t chunk_bytes) {
  Sealed s;
  s.id = "p" + std::to_string(i);
  StreamSource src(key.public_key(), {"fed", kRound, s.id}, i + 1, 100 + 10 * i, params,
                   chunk_bytes);
  s.enc = src.enc();
  s.chunks = src.All();
  for (const auto& c : s.chunks) s.bytes += c.ciphertext().size();
  return s;
}

aggregator::IngestContext Context(const std::string& id) { return {"fed", kRound, id, 1'000'000}; }

void ResetModel(Strategy& s, size_t params) { s.Reset(std::vector<float>(params, 0.25f)); }

// Opens `s` on this thread into `strategy`; append_only stops before the final chunk's
// Commit (the stage is aborted when the ingest goes).
void IngestOne(const crypto::X25519KeyPair& key, const Sealed& s, const ModelLayout& layout,
               Strategy& strategy, bool append_only = false) {
  auto ingest = UpdateIngest::Begin(key, s.enc, Context(s.id), layout, strategy);
  Check(ingest.status(), "Begin");
  const size_t n = append_only ? s.chunks.size() - 1 : s.chunks.size();
  for (size_t i = 0; i < n; ++i) {
    auto r = (*ingest)->AddChunk(s.chunks[i]);
    Check(r.status(), "AddChunk");
  }
  Check(append_only || (*ingest)->committed(), "commit");
}

// Raw AES-GCM over chunks of the same sizes as `s`, into one reusable chunk buffer.
struct RawStream {
  std::vector<Bytes> chunks;
};
RawStream MakeRaw(RawGcm& gcm, const Sealed& s) {
  RawStream r;
  for (size_t i = 0; i < s.chunks.size(); ++i) {
    Bytes pt(s.chunks[i].ciphertext().size() - 16, 0x5a);
    r.chunks.push_back(gcm.Seal(i, pt));
  }
  return r;
}
void RawOpen(RawGcm& gcm, const RawStream& r, Bytes& out) {
  for (size_t i = 0; i < r.chunks.size(); ++i) {
    if (out.size() < r.chunks[i].size()) out.resize(r.chunks[i].size());
    gcm.Open(i, r.chunks[i], out.data());
  }
}

// Takes values and drops them: isolates the ingest's own cost (open + scan) from a strategy.
class NullStrategy final : public Strategy {
 public:
  std::string name() const override { return "null"; }
  std::map<std::string, double> params() const override { return {}; }
  void Reset(std::vector<float> global) override { n_ = global.size(); }
  size_t num_params() const override { return n_; }
  Result<aggregator::StageId> Stage(uint64_t) override { return next_++; }
  Status Append(aggregator::StageId, std::span<const float> v) override {
    sink_ += v.empty() ? 0.f : v[v.size() / 2];
    return Status::Ok();
  }
  Status Commit(aggregator::StageId) override { return Status::Ok(); }
  void Abort(aggregator::StageId) override {}
  size_t committed_updates() const override { return 0; }
  uint64_t committed_examples() const override { return 0; }
  size_t in_flight() const override { return 0; }
  Result<std::vector<float>> Finalize() const override { return std::vector<float>(n_); }

 private:
  size_t n_ = 0;
  aggregator::StageId next_ = 1;
  volatile float sink_ = 0;
};

// ---------------------------------------------------------------------------------------

void IngestVsAesGcm(const crypto::X25519KeyPair& key, bool quick) {
  const size_t params = quick ? kTenM / 4 : kTenM;
  const ModelLayout layout{{"w"}, params};
  const int reps = quick ? 3 : 5;
  RawGcm gcm;
  Bytes out;
  for (size_t chunk : {kMiB / 16, kMiB / 4, kMiB, 4 * kMiB}) {
    const Sealed s = MakeSealed(key, 0, params, chunk);
    const RawStream raw = MakeRaw(gcm, s);
    FedAvg fedavg;
    ResetModel(fedavg, params);
    NullStrategy null;
    ResetModel(null, params);
    double best = 1e30, best_raw = 1e30, best_append = 1e30, best_null = 1e30;
    double best_raw_sha = 1e30;
    for (int r = 0; r < reps; ++r) {
      if (chunk == kMiB) {
        // The protocol's own floor: the update digest is SHA-256 over every ciphertext byte.
        best_raw_sha = std::min(best_raw_sha, ThreadCpuSeconds([&] {
                                  crypto::Hasher h(crypto::HashAlg::kSha256);
                                  for (const Bytes& c : raw.chunks) h.Update(c);
                                  RawOpen(gcm, raw, out);
                                  Check(h.Finish().size() == 32, "sha256");
                                }));
        best_null = std::min(best_null, ThreadCpuSeconds([&] { IngestOne(key, s, layout, null); }));
      }
      best_raw = std::min(best_raw, ThreadCpuSeconds([&] { RawOpen(gcm, raw, out); }));
      best = std::min(best, ThreadCpuSeconds([&] { IngestOne(key, s, layout, fedavg); }));
      best_append =
          std::min(best_append, ThreadCpuSeconds([&] { IngestOne(key, s, layout, fedavg, true); }));
    }
    const double mbs = s.bytes / best / 1e6, base = s.bytes / best_raw / 1e6;
    const std::string suffix = chunk == kMiB ? "" : ".chunk_" + std::to_string(chunk >> 10) + "KiB";
    Print({"ingest_vs_aesgcm_1t" + suffix, mbs, "MB/s", true, base, mbs / base,
           std::to_string(params) + " params, " + std::to_string(chunk >> 10) +
               " KiB chunks, FedAvg Stage+Append+Commit, thread CPU time"});
    if (chunk == kMiB) {
      const double a = s.bytes / best_append / 1e6;
      Print({"ingest_open_check_vs_aesgcm_1t", a, "MB/s", true, base, a / base,
             "open + finite/norm scan + FedAvg Append (staging copy), no Commit fold"});
      const double o = s.bytes / best_null / 1e6;
      Print({"ingest_open_scan_only_vs_aesgcm_1t", o, "MB/s", true, base, o / base,
             "UpdateIngest alone: HPKE open in place + SHA-256 digest + finite/norm scan, a "
             "strategy that drops the values"});
      const double sha = s.bytes / best_raw_sha / 1e6;
      Print({"ingest_open_scan_only_vs_aesgcm_sha256_1t", o, "MB/s", true, sha, o / sha,
             "as above, baseline raw AES-256-GCM decrypt + SHA-256 of the ciphertext (the "
             "update digest the receipt needs)"});
    }
  }
}

// Opens `streams` through a pool of `threads` workers: `threads` streams in flight at a time,
// their chunks arriving interleaved (as concurrent participants' chunks do).
void PoolIngest(const crypto::X25519KeyPair& key, const std::vector<Sealed>& streams,
                const ModelLayout& layout, SharedStrategy& strategy, size_t threads) {
  IngestPool pool(threads);
  for (size_t g = 0; g < streams.size(); g += threads) {
    const size_t end = std::min(streams.size(), g + threads);
    std::vector<std::shared_ptr<UpdateIngest>> live;
    size_t most = 0;
    for (size_t i = g; i < end; ++i) {
      auto in = UpdateIngest::Begin(key, streams[i].enc, Context(streams[i].id), layout, strategy);
      Check(in.status(), "Begin");
      live.emplace_back(std::move(in).value());
      most = std::max(most, streams[i].chunks.size());
    }
    for (size_t c = 0; c < most; ++c) {
      for (size_t i = g; i < end; ++i) {
        if (c >= streams[i].chunks.size()) continue;
        pool.Post(i - g, [in = live[i - g], chunk = &streams[i].chunks[c]] {
          Check(in->AddChunk(*chunk).status(), "AddChunk");
        });
      }
    }
    pool.Drain();
  }
}

void Speedup2t(const crypto::X25519KeyPair& key, bool quick) {
  const size_t params = quick ? kTenM / 4 : kTenM;
  const ModelLayout layout{{"w"}, params};
  std::vector<Sealed> streams;
  for (int i = 0; i < 8; ++i) streams.push_back(MakeSealed(key, i, params, kMiB));
  double best1 = 1e30, best2 = 1e30;
  for (int r = 0; r < (quick ? 2 : 6); ++r) {
    for (size_t t : {1u, 2u}) {
      FedAvg fedavg;
      ResetModel(fedavg, params);
      SharedStrategy shared(fedavg);
      const double s = WallSeconds([&] { PoolIngest(key, streams, layout, shared, t); });
      Check(fedavg.committed_updates() == streams.size(), "all committed");
      (t == 1 ? best1 : best2) = std::min(t == 1 ? best1 : best2, s);
    }
  }
  Print({"ingest_speedup_2t", best1 / best2, "x", true, 1.0, best1 / best2,
         "8 streams x " + std::to_string(params) + " params, 1 MiB chunks, wall time: 1 thread " +
             std::to_string(best1) + " s, 2 threads " + std::to_string(best2) + " s"});
}

void FedAvgTenByTenM(const crypto::X25519KeyPair& key, bool quick, double numpy_seconds) {
  const size_t params = quick ? kTenM / 4 : kTenM;
  const ModelLayout layout{{"w"}, params};
  std::vector<Sealed> streams;
  for (int i = 0; i < 10; ++i) streams.push_back(MakeSealed(key, i, params, kMiB));
  const size_t threads = aggregator::DefaultIngestThreads();
  double best = 1e30;
  for (int r = 0; r < (quick ? 1 : 3); ++r) {
    FedAvg fedavg;
    ResetModel(fedavg, params);
    SharedStrategy shared(fedavg);
    best = std::min(best, WallSeconds([&] {
                      PoolIngest(key, streams, layout, shared, threads);
                      Check(fedavg.Finalize().status(), "Finalize");
                    }));
  }
  const std::string note = "10 x " + std::to_string(params) + " float32, sealed, " +
                           std::to_string(threads) + " ingest threads, open+check+FedAvg+Finalize";
  if (numpy_seconds > 0) {
    Print({"fedavg_vs_numpy_flower_style", best, "s", true, numpy_seconds, numpy_seconds / best,
           note + "; baseline: plaintext NumPy aggregate_inplace"});
  } else {
    Print({"fedavg_10x10M_sealed", best, "s", false, 0, 0, note});
  }
}

// The child: FedAvg over `participants` updates of 10M parameters, sealed on the fly chunk by
// chunk (the sealer plays the network), two streams in flight at a time through a pool of 2.
int RssChild(int participants) {
  auto key = crypto::X25519KeyPair::Generate();
  Check(key.status(), "keygen");
  const ModelLayout layout{{"w"}, kTenM};
  FedAvg fedavg;
  ResetModel(fedavg, kTenM);
  SharedStrategy shared(fedavg);
  constexpr size_t kThreads = 2;
  {
    IngestPool pool(kThreads);
    for (int g = 0; g < participants; g += kThreads) {
      const int end = std::min<int>(participants, g + kThreads);
      std::vector<std::unique_ptr<StreamSource>> src;
      std::vector<std::shared_ptr<UpdateIngest>> live;
      for (int i = g; i < end; ++i) {
        const std::string id = "p" + std::to_string(i);
        src.push_back(std::make_unique<StreamSource>(key->public_key(),
                                                     crypto::StreamBinding{"fed", kRound, id},
                                                     i + 1, 100 + i, kTenM, kMiB));
        auto in = UpdateIngest::Begin(*key, src.back()->enc(), Context(id), layout, shared);
        Check(in.status(), "Begin");
        live.emplace_back(std::move(in).value());
      }
      for (bool more = true; more;) {
        more = false;
        for (size_t i = 0; i < src.size(); ++i) {
          if (src[i]->done()) continue;
          more = true;
          auto chunk = std::make_shared<v1::UpdateChunk>(src[i]->Next());
          pool.Post(i, [in = live[i], chunk] { Check(in->AddChunk(*chunk).status(), "AddChunk"); });
        }
      }
      pool.Drain();
    }
  }
  Check(fedavg.committed_updates() == size_t(participants), "all committed");
  Check(fedavg.Finalize().status(), "Finalize");
  return 0;
}

long ChildPeakRssKb(const char* self, int participants) {
  const pid_t pid = fork();
  Check(pid >= 0, "fork");
  if (pid == 0) {
    const std::string n = std::to_string(participants);
    execl(self, self, "--rss-child", n.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  Check(wait4(pid, &status, 0, &ru) == pid, "wait4");
  Check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "rss child");
  return ru.ru_maxrss;  // KiB on Linux
}

void Rss(const char* self) {
  const long two = ChildPeakRssKb(self, 2);
  const long many = ChildPeakRssKb(self, 32);
  const double ratio = double(many) / double(two);
  Print({"rss_32_vs_2_participants", (ratio - 1) * 100, "%", true, two / 1024.0, ratio,
         "peak RSS 32 participants " + std::to_string(many / 1024) + " MiB vs 2 participants " +
             std::to_string(two / 1024) +
             " MiB (baseline, MiB); 10M params, FedAvg, 2 ingest threads, 2 streams in flight"});
}

void StrategyTimes(bool quick) {
  const size_t params = 1'000'000;
  constexpr int kUpdates = 10;
  std::vector<std::vector<float>> updates(kUpdates, std::vector<float>(params));
  for (int i = 0; i < kUpdates; ++i) FillDelta(i + 1, 0, updates[i]);
  for (const std::string& name : aggregator::StrategyNames()) {
    auto s = aggregator::BuildStrategy(name, {}, 0);
    if (!s.ok()) {
      Print({"strategy_time." + name, 0, "ms", false, 0, 0,
             "not run with default parameters: " + s.status().ToString()});
      continue;
    }
    Strategy& st = **s;
    double best = 1e30;
    for (int r = 0; r < (quick ? 1 : 3); ++r) {
      ResetModel(st, params);
      best = std::min(best, WallSeconds([&] {
                        for (int i = 0; i < kUpdates; ++i) {
                          auto id = st.Stage(100 + i);
                          Check(id.status(), "Stage");
                          for (size_t off = 0; off < params; off += kMiB / 4) {
                            const size_t n = std::min(kMiB / 4, params - off);
                            Check(st.Append(*id, std::span(updates[i]).subspan(off, n)), "Append");
                          }
                          Check(st.Commit(*id), "Commit");
                        }
                        Check(st.Finalize().status(), "Finalize");
                      }));
    }
    Print({"strategy_time." + name, best * 1e3, "ms", false, 0, 0,
           "10 updates x 1M params per round, default parameters, plaintext"});
  }
}

}  // namespace
}  // namespace fedtee::bench

int main(int argc, char** argv) {
  using namespace fedtee::bench;
  bool quick = false;
  double numpy_seconds = 0;
  std::set<std::string> skip;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rss-child" && i + 1 < argc) return RssChild(std::atoi(argv[i + 1]));
    if (a == "--quick") quick = true;
    if (a == "--numpy-seconds" && i + 1 < argc) numpy_seconds = std::atof(argv[++i]);
    if (a == "--skip" && i + 1 < argc) skip.insert(argv[++i]);
  }
  auto key = fedtee::crypto::X25519KeyPair::Generate();
  Check(key.status(), "keygen");
  if (!skip.count("ingest")) IngestVsAesGcm(*key, quick);
  if (!skip.count("speedup")) Speedup2t(*key, quick);
  if (!skip.count("fedavg")) FedAvgTenByTenM(*key, quick, numpy_seconds);
  if (!skip.count("rss")) Rss("/proc/self/exe");
  if (!skip.count("strategies")) StrategyTimes(quick);
  return 0;
}
