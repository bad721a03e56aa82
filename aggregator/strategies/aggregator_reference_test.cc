// Every strategy against an independent NumPy computation of its textbook formula (run
// with Debian's /usr/bin/python3 and python3-numpy; skipped when they are missing): random
// inputs go to a temp file as exact hex floats, NumPy computes in float64 and writes hex
// floats back. Server optimisers run 3 rounds, carrying their state, each round's global
// being our previous output. The RDP accountant is checked the same way, and against the
// exact privacy curve of the Gaussian mechanism (Balle & Wang 2018).
//
// Tolerances, in float32 ulps of the reference output (plus 1e-12 absolute):
//   median 0 (bit-identical), fedavg / fedavgm / trimmed_mean / krum 1 (NumPy's pairwise
//   sums are not exact), fedadam / fedyogi / fedadagrad 2 (sqrt and division),
//   clipped fedavg 2 + 2^-22 * max|delta| (we scale float32 values, NumPy scales in float64).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "aggregator/fedavg.h"
#include "aggregator/strategies/rdp_accountant.h"

namespace fedtee::aggregator {
namespace {

constexpr char kPython[] = "/usr/bin/python3";

const char* kStrategyScript = R"PY(
import sys
import numpy as np

def f(s): return float.fromhex(s)
lines = open(sys.argv[1]).read().split("\n")
name = lines[0]
params = {}
if lines[1] != "-":
    for kv in lines[1].split():
        k, v = kv.split("=")
        params[k] = float(v)
R, D, N = map(int, lines[2].split())
pos = 3
m = v = None
out = []
for r in range(R):
    x = np.array([f(t) for t in lines[pos].split()], dtype=np.float64); pos += 1
    n = np.zeros(N); U = np.zeros((N, D))
    for i in range(N):
        row = lines[pos].split(); pos += 1
        n[i] = float(row[0]); U[i] = [f(t) for t in row[1:]]
    C = params.get("clip_norm", 0.0)
    if C > 0:
        norms = np.sqrt((U * U).sum(axis=1))
        U = U * np.minimum(1.0, C / norms)[:, None]
    if name == "median":
        delta = np.median(U, axis=0)
    elif name == "trimmed_mean":
        k = int(np.floor(params.get("beta", 0.1) * N))
        delta = np.sort(U, axis=0)[k:N - k].mean(axis=0)
    elif name == "krum":
        fb = int(params.get("f", 1)); mm = int(params.get("m", 1))
        dist = ((U[:, None, :] - U[None, :, :]) ** 2).sum(axis=2)
        scores = np.array([np.sort(np.delete(dist[i], i))[:N - fb - 2].sum() for i in range(N)])
        delta = U[np.argsort(scores, kind="stable")[:mm]].mean(axis=0)
    else:
        delta = (n[:, None] * U).sum(axis=0) / n.sum()
    if name == "fedavgm":
        lr = params.get("server_lr", 1.0); mu = params.get("momentum", 0.9)
        m = delta if m is None else mu * m + delta
        step = lr * m
    elif name in ("fedadam", "fedyogi", "fedadagrad"):
        d = {"fedadam": (0.1, 0.9), "fedyogi": (0.01, 0.9), "fedadagrad": (0.1, 0.0)}[name]
        lr = params.get("server_lr", d[0]); b1 = params.get("beta1", d[1])
        b2 = params.get("beta2", 0.99); tau = params.get("tau", 1e-3)
        if m is None:
            m = np.zeros(D); v = np.full(D, tau * tau)
        m = b1 * m + (1 - b1) * delta
        if name == "fedadam":
            v = b2 * v + (1 - b2) * delta ** 2
        elif name == "fedyogi":
            v = v - (1 - b2) * delta ** 2 * np.sign(v - delta ** 2)
        else:
            v = v + delta ** 2
        step = lr * m / (np.sqrt(v) + tau)
    else:
        step = delta
    out.append((x + step).astype(np.float32))
with open(sys.argv[2], "w") as o:
    for row in out:
        o.write(" ".join(float(t).hex() for t in row) + "\n")
)PY";

const char* kAccountantScript = R"PY(
import sys, math
import numpy as np
from math import lgamma, log, exp

def rdp(a, sigma, q):
    if q >= 1: return a / (2 * sigma ** 2)
    terms = [lgamma(a + 1) - lgamma(k + 1) - lgamma(a - k + 1) + (a - k) * math.log1p(-q)
             + k * log(q) + (k * k - k) / (2 * sigma ** 2) for k in range(int(a) + 1)]
    mx = max(terms)
    return (mx + log(sum(exp(t - mx) for t in terms))) / (a - 1)

def orders(q):
    o = [] if q < 1 else [1.25, 1.5, 1.75, 2.5, 3.5, 4.5]
    return sorted(o + list(range(2, 65)) + [80, 96, 128, 192, 256])

def eps(T, sigma, q, delta):
    return max(0.0, min(T * rdp(a, sigma, q) + log((a - 1) / a) - (log(delta) + log(a)) / (a - 1)
                        for a in orders(q)))

def phi(x): return 0.5 * math.erfc(-x / math.sqrt(2))

def exact_delta(e, T, sigma):  # the Gaussian mechanism's exact curve, mu = sqrt(T) / sigma
    mu = math.sqrt(T) / sigma
    return phi(-e / mu + mu / 2) - math.exp(e) * phi(-e / mu - mu / 2)

with open(sys.argv[2], "w") as o:
    for line in open(sys.argv[1]):
        T, sigma, q, delta = line.split()
        T = int(T); sigma = float(sigma); q = float(q); delta = float(delta)
        e = eps(T, sigma, q, delta)
        o.write("%r %r\n" % (e, exact_delta(e, T, sigma) if q >= 1 else -1.0))
)PY";

bool HavePythonNumpy() {
  return std::system((std::string(kPython) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0;
}

std::filesystem::path TempDir() {
  auto d = std::filesystem::temp_directory_path() /
           ("fedtee-ref-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(d);
  return d;
}

// Runs `script` on `input`, returns the output file's lines.
std::vector<std::string> RunPython(const std::string& script, const std::string& input) {
  const auto dir = TempDir();
  std::ofstream(dir / "ref.py") << script;
  std::ofstream(dir / "in.txt") << input;
  const std::string cmd = std::string(kPython) + " " + (dir / "ref.py").string() + " " +
                          (dir / "in.txt").string() + " " + (dir / "out.txt").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(dir / "out.txt");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::filesystem::remove_all(dir);
  return lines;
}

std::string Hex(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", x);
  return buf;
}

struct Case {
  std::string name;
  std::map<std::string, double> params;
  double tol_ulps;
  double tol_delta = 0;  // times max|delta|
};

void CheckAgainstNumpy(const Case& c, size_t rounds, size_t dim, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 0.05f);
  std::uniform_int_distribution<uint64_t> ex(1, 2000);
  std::ostringstream in;
  in << c.name << "\n";
  if (c.params.empty()) in << "-\n";
  for (const auto& [k, v] : c.params) in << k << "=" << v << " ";
  if (!c.params.empty()) in << "\n";
  in << rounds << " " << dim << " " << n << "\n";
  std::vector<float> global(dim);
  for (float& x : global) x = g(rng) * 10;
  std::vector<std::vector<float>> ours;
  double max_delta = 0;
  std::unique_ptr<Strategy> prev;
  for (size_t r = 0; r < rounds; ++r) {
    auto s = MakeStrategy(c.name, c.params, 0, {prev.get(), r + 1});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    (*s)->Reset(global);
    for (float x : global) in << Hex(x) << " ";
    in << "\n";
    for (size_t i = 0; i < n; ++i) {
      const uint64_t examples = ex(rng);
      std::vector<float> d(dim);
      for (float& x : d) x = g(rng) * (i % 3 == 0 ? 4.0f : 1.0f);
      if (c.name == "krum" || c.name == "median" || c.name == "trimmed_mean") {
        if (i == n - 1) for (float& x : d) x = 30.0f;  // an outlier
      }
      for (float x : d) max_delta = std::max(max_delta, double(std::fabs(x)));
      in << examples;
      for (float x : d) in << " " << Hex(x);
      in << "\n";
      auto id = (*s)->Stage(examples);
      ASSERT_TRUE(id.ok());
      ASSERT_TRUE((*s)->Append(*id, d).ok());
      ASSERT_TRUE((*s)->Commit(*id).ok());
    }
    auto out = (*s)->Finalize();
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ours.push_back(*out);
    global = *out;
    prev = std::move(s).value();
  }
  const auto lines = RunPython(kStrategyScript, in.str());
  ASSERT_EQ(lines.size(), rounds) << c.name;
  for (size_t r = 0; r < rounds; ++r) {
    std::istringstream row(lines[r]);
    size_t worst_at = 0;
    double worst = 0;
    for (size_t j = 0; j < dim; ++j) {
      std::string tok;
      row >> tok;
      const double ref = std::strtod(tok.c_str(), nullptr);
      const double ulp = std::nextafter(std::fabs(float(ref)), INFINITY) - std::fabs(float(ref));
      const double tol = c.tol_ulps * ulp + c.tol_delta * max_delta + 1e-12;
      const double err = std::fabs(ours[r][j] - ref);
      if (err / tol > worst) worst = err / tol, worst_at = j;
      ASSERT_LE(err, tol) << c.name << " round " << r + 1 << " value " << j << ": ours "
                          << ours[r][j] << " numpy " << ref;
    }
    (void)worst_at;
  }
}

class ReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HavePythonNumpy()) GTEST_SKIP() << "needs /usr/bin/python3 with numpy";
  }
};

TEST_F(ReferenceTest, FedAvg) { CheckAgainstNumpy({"fedavg", {}, 1}, 1, 300, 9, 1); }
TEST_F(ReferenceTest, FedAvgClipped) {
  CheckAgainstNumpy({"fedavg", {{"clip_norm", 0.5}}, 2, 0x1p-22}, 1, 300, 9, 2);
}
TEST_F(ReferenceTest, Median) {
  CheckAgainstNumpy({"median", {}, 0}, 1, 300, 9, 3);
  CheckAgainstNumpy({"median", {}, 0}, 1, 300, 10, 4);
}
TEST_F(ReferenceTest, TrimmedMean) {
  CheckAgainstNumpy({"trimmed_mean", {{"beta", 0.2}}, 1}, 1, 300, 11, 5);
}
TEST_F(ReferenceTest, KrumAndMultiKrum) {
  CheckAgainstNumpy({"krum", {{"f", 2}}, 1}, 1, 200, 9, 6);
  CheckAgainstNumpy({"krum", {{"f", 2}, {"m", 4}}, 1}, 1, 200, 9, 7);
}
TEST_F(ReferenceTest, FedAvgMThreeRounds) {
  CheckAgainstNumpy({"fedavgm", {{"server_lr", 0.7}, {"momentum", 0.9}}, 1}, 3, 200, 6, 8);
}
TEST_F(ReferenceTest, FedAdamThreeRounds) {
  CheckAgainstNumpy({"fedadam", {}, 2}, 3, 200, 6, 9);
  CheckAgainstNumpy({"fedadam", {{"server_lr", 0.03}, {"beta2", 0.9}, {"tau", 0.01}}, 2}, 3, 200,
                    6, 10);
}
TEST_F(ReferenceTest, FedYogiThreeRounds) { CheckAgainstNumpy({"fedyogi", {}, 2}, 3, 200, 6, 11); }
TEST_F(ReferenceTest, FedAdagradThreeRounds) {
  CheckAgainstNumpy({"fedadagrad", {}, 2}, 3, 200, 6, 12);
  CheckAgainstNumpy({"fedadagrad", {{"beta1", 0.5}}, 2}, 3, 200, 6, 13);
}

TEST_F(ReferenceTest, RdpAccountant) {
  struct Q {
    uint64_t t;
    double sigma, q, delta;
  };
  const std::vector<Q> qs = {{1, 1.0, 1, 1e-5},   {10, 1.1, 1, 1e-5},  {100, 4.0, 1, 1e-6},
                             {50, 0.8, 1, 1e-3},  {1000, 1.1, 0.01, 1e-5}, {100, 1.0, 0.1, 1e-5},
                             {20, 2.0, 0.5, 1e-5}};
  std::ostringstream in;
  for (const Q& q : qs) in << q.t << " " << q.sigma << " " << q.q << " " << q.delta << "\n";
  const auto lines = RunPython(kAccountantScript, in.str());
  ASSERT_EQ(lines.size(), qs.size());
  for (size_t i = 0; i < qs.size(); ++i) {
    double ref, exact_delta;
    std::istringstream(lines[i]) >> ref >> exact_delta;
    const double ours = EpsilonAfter(qs[i].t, qs[i].sigma, qs[i].q, qs[i].delta).epsilon;
    EXPECT_NEAR(ours, ref, 1e-9 * std::max(1.0, ref)) << i;
    if (exact_delta >= 0) {
      // A valid (epsilon, delta) bound: the exact curve at our epsilon is within delta.
      EXPECT_LE(exact_delta, qs[i].delta * (1 + 1e-9)) << i;
    }
  }
}

}  // namespace
}  // namespace fedtee::aggregator
