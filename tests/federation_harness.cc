#include "tests/federation_harness.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "federation/receipt.h"
#include "federation/round_log.h"

namespace fedtee::testsupport {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = 50ms;

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

std::string Tail(const std::string& text, size_t lines) {
  size_t pos = text.size();
  for (size_t n = 0; n <= lines && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

void Upsert(std::vector<std::pair<std::string, std::string>>& kv, const std::string& key,
            const std::string& value) {
  for (auto& [k, v] : kv) {
    if (k == key) {
      v = value;
      return;
    }
  }
  kv.emplace_back(key, value);
}

}  // namespace

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::vector<nlohmann::json> ReadJsonLines(const fs::path& path) {
  std::vector<nlohmann::json> out;
  std::istringstream in(ReadAll(path));
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

FederationHarness::FederationHarness(const std::string& name, FederationOptions options)
    : dir_(name),
      options_(options),
      federation_id_(options.federation_id.empty() ? "itest-" + name : options.federation_id) {
  for (const char* d : {"keys", "logs", "sites"}) fs::create_directories(dir_ / d);
  Cli({"data", "split", "--input", kBreastCancerCsv, "--format", "sklearn", "--sites",
       std::to_string(options_.hospitals), "--alpha", "0.5", "--test-fraction", "0.2", "--seed",
       "7", "--out", Path("data").string()});
  Cli({"identity", "new", "--out", Path("keys/coordinator").string()});
  Cli({"sim-ca", "init", Path("simca").string()});
  RunResult m = Run({Bin("fedtee"), "measure", Bin("fedtee-aggregator")});
  measurement_ = m.out.substr(0, m.out.find('\n'));
  if (m.exit_code != 0 || measurement_.size() != 96) {
    ADD_FAILURE() << "fedtee measure failed (" << m.exit_code << "): " << m.err;
  }
  WritePolicy(CoordinatorPolicy(), {measurement_});
  port_ = FreeLoopbackPort();
  aggregator_port_ = FreeLoopbackPort();
  while (aggregator_port_ == port_) aggregator_port_ = FreeLoopbackPort();

  federation_keys_ = {
      {"federation_id", Quote(federation_id_)},
      {"listen", Quote("tcp://127.0.0.1:" + std::to_string(port_))},
      {"aggregator_listen", Quote("tcp://127.0.0.1:" + std::to_string(aggregator_port_))},
      {"identity", Quote(Path("keys/coordinator.key").string())},
      {"roster", Quote(Path("roster.toml").string())},
      {"policy", Quote(CoordinatorPolicy().string())},
      {"checkpoint_dir", Quote(Path("state").string())},
      {"rounds", std::to_string(options_.rounds)},
      {"min_participants", std::to_string(options_.min_participants)},
      // Short deadlines for tests; a healthy round on loopback takes well under a second.
      {"round_timeout_seconds", "20"},
      {"finalize_timeout_seconds", "20"},
      {"start_timeout_seconds", "15"},
      {"heartbeat_timeout_seconds", "3"},
      {"max_round_retries", "1"},
  };
  for (int i = 1; i <= options_.hospitals; ++i) AddSite("hospital-" + std::to_string(i), true, i);
}

FederationHarness::~FederationHarness() {
  if (::testing::Test::HasFailure()) {
    std::cerr << "---- workspace " << dir().string() << " (set FEDTEE_KEEP_TEST_DIRS to keep it)\n";
    auto dump = [](const std::string& name, const Subprocess& p) {
      std::cerr << "---- last lines of " << name << " (" << p.log_path().string() << ")\n"
                << Tail(p.Log(), 25) << "\n";
    };
    for (const auto& p : retired_) dump("earlier process", *p);
    for (const auto& [name, p] : procs_) dump(name, *p);
  }
  for (auto& [name, p] : procs_) p->Signal(SIGTERM);
  for (auto& [name, p] : procs_) p->Wait(5s);  // then ~Subprocess kills what is left
}

std::vector<std::string> FederationHarness::hospitals() const {
  std::vector<std::string> out;
  for (int i = 1; i <= options_.hospitals; ++i) out.push_back("hospital-" + std::to_string(i));
  return out;
}

std::string FederationHarness::coordinator_endpoint() const {
  return "tcp://127.0.0.1:" + std::to_string(port_);
}

fs::path FederationHarness::SitePolicy(const std::string& id) const {
  return Path("sites/" + id + "/policy.toml");
}

fs::path FederationHarness::SiteKey(const std::string& id) const {
  return Path("keys/" + id + ".key");
}

fs::path FederationHarness::MetricsPath(const std::string& name) const {
  return Path("logs/" + name + "-metrics.jsonl");
}

void FederationHarness::Cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {Bin("fedtee")};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = Run(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    ADD_FAILURE() << "fedtee" << cmd << " exited " << r.exit_code << ": " << r.err << r.out;
  }
}

void FederationHarness::SetFederation(const std::string& key, const std::string& toml_value) {
  Upsert(federation_keys_, key, toml_value);
}

void FederationHarness::SetSite(const std::string& id, const std::string& key,
                                const std::string& toml_value) {
  Upsert(sites_[id].keys, key, toml_value);
}

void FederationHarness::WritePolicy(const fs::path& path,
                                    const std::vector<std::string>& measurements) {
  std::string list;
  for (const auto& m : measurements) list += (list.empty() ? "" : ", ") + Quote(m);
  fs::create_directories(path.parent_path());
  WriteAll(path,
           "# Accept only the measured fedtee-aggregator, in the simulated TEE.\n"
           "platforms = [\"sim\"]\n"
           "allowed_measurements = [" +
               list +
               "]\n"
               "trusted_roots = [" +
               Quote(Path("simca/root.pem").string()) +
               "]\n"
               "forbid_debug = true\n"
               "max_evidence_age_seconds = 300\n");
}

void FederationHarness::AddSite(const std::string& id, bool enrolled, int data_site) {
  Cli({"identity", "new", "--out", Path("keys/" + id).string()});
  if (enrolled) {
    Cli({"roster", "add", "--roster", Path("roster.toml").string(), "--id", id, "--public-file",
         Path("keys/" + id + ".pub").string()});
  }
  WritePolicy(SitePolicy(id), {measurement_});
  Site& s = sites_[id];
  s.data_site = data_site;
  if (configs_written_) WriteConfigs();
}

void FederationHarness::WriteConfigs() {
  std::string fed;
  for (const auto& [k, v] : federation_keys_) fed += k + " = " + v + "\n";
  fed +=
      "[model]\nkind = \"logistic_regression\"\nnum_features = 30\nnum_classes = 2\n"
      "[train]\nepochs = 2\nbatch_size = 16\nlearning_rate = 0.05\nl2 = 0.001\n"
      "[strategy]\nname = \"fedavg\"\n";
  WriteAll(Path("federation.toml"), fed);
  for (const auto& [id, site] : sites_) {
    if (site.data_site <= 0) continue;
    std::vector<std::pair<std::string, std::string>> keys = {
        {"participant_id", Quote(id)},
        {"coordinator", Quote(coordinator_endpoint())},
        {"coordinator_key_file", Quote(Path("keys/coordinator.pub").string())},
        {"identity", Quote(SiteKey(id).string())},
        {"policy", Quote(SitePolicy(id).string())},
    };
    for (const auto& [k, v] : site.keys) Upsert(keys, k, v);
    std::string text;
    for (const auto& [k, v] : keys) text += k + " = " + v + "\n";
    std::string n = std::to_string(site.data_site);
    text += "[data]\ncsv = " + Quote(Path("data/site-" + n + ".csv").string()) +
            "\nformat = \"csv\"\nscaler = " + Quote(Path("data/scaler.json").string()) +
            "\neval_fraction = 0.2\nseed = " + n + "\n";
    fs::create_directories(Path("sites/" + id));
    WriteAll(Path("sites/" + id + "/site.toml"), text);
  }
  configs_written_ = true;
}

Subprocess& FederationHarness::Launch(const std::string& name, std::vector<std::string> argv,
                                      const std::string& log_name) {
  if (!configs_written_) WriteConfigs();
  if (auto it = procs_.find(name); it != procs_.end()) {
    if (it->second->running()) ADD_FAILURE() << name << " started while still running";
    retired_.push_back(std::move(it->second));
    procs_.erase(it);
  }
  auto p = std::make_unique<Subprocess>(std::move(argv), Path("logs/" + log_name + ".log"));
  Subprocess& ref = *p;
  procs_[name] = std::move(p);
  return ref;
}

Subprocess& FederationHarness::StartCoordinator(const std::string& log_name) {
  return Launch("coordinator",
                {Bin("fedtee-coordinator"), "--config", Path("federation.toml").string(),
                 "--metrics-json", MetricsPath("coordinator").string()},
                log_name);
}

Subprocess& FederationHarness::StartAggregator() {
  return Launch("aggregator",
                {Bin("fedtee-aggregator"), "--coordinator",
                 "tcp://127.0.0.1:" + std::to_string(aggregator_port_), "--coordinator-key",
                 Path("keys/coordinator.pub").string(), "--attestation", "sim", "--sim-ca",
                 Path("simca").string(), "--listen", "tcp://127.0.0.1:0", "--log-level", "debug",
                 "--metrics-json", MetricsPath("aggregator").string()},
                "aggregator");
}

Subprocess& FederationHarness::StartParticipant(const std::string& id) {
  return Launch(id,
                {Bin("fedtee-participant"), "--config", Path("sites/" + id + "/site.toml").string(),
                 "--metrics-json", MetricsPath(id).string()},
                id);
}

void FederationHarness::StartAll() {
  StartCoordinator();
  StartAggregator();
  for (const auto& id : hospitals()) StartParticipant(id);
}

Subprocess& FederationHarness::process(const std::string& name) {
  auto it = procs_.find(name);
  if (it == procs_.end()) {
    ADD_FAILURE() << "no process named " << name;
    std::abort();
  }
  return *it->second;
}

std::optional<int> FederationHarness::WaitExit(const std::string& name,
                                               std::chrono::milliseconds timeout) {
  return process(name).Wait(timeout);
}

void FederationHarness::Signal(const std::string& name, int sig) { process(name).Signal(sig); }

bool FederationHarness::WaitForLog(const std::string& name, const std::string& needle,
                                   std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (Log(name).find(needle) != std::string::npos) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

size_t FederationHarness::CountInLog(const std::string& name, const std::string& needle) {
  std::string log = Log(name);
  size_t n = 0;
  for (size_t pos = log.find(needle); pos != std::string::npos;
       pos = log.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

uint64_t FederationHarness::LastCommittedRound() const {
  auto j = nlohmann::json::parse(ReadAll(Path("state/state.json")), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return 0;
  return j.value("last_committed_round", uint64_t{0});
}

std::string FederationHarness::CommittedModelSha256() const {
  auto j = nlohmann::json::parse(ReadAll(Path("state/state.json")), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "";
  return j.value("model_sha256", std::string());
}

bool FederationHarness::WaitForCommitted(uint64_t round, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (LastCommittedRound() >= round) return true;
    bool coordinator_gone = has_process("coordinator") && !process("coordinator").running();
    if (coordinator_gone) return LastCommittedRound() >= round;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::vector<RoundRecord> FederationHarness::Rounds() const {
  std::vector<RoundRecord> out;
  auto entries = federation::ReadRoundLog(Path("state/round_log.jsonl"));
  if (!entries.ok()) {
    ADD_FAILURE() << "reading the round log: " << entries.status().ToString();
    return out;
  }
  for (const auto& e : *entries) {
    RoundRecord r;
    r.round = e.round;
    auto receipt = federation::ParseReceipt(e.receipt);
    if (!receipt.ok()) {
      ADD_FAILURE() << "round " << e.round << ": " << receipt.status().ToString();
    } else {
      for (const auto& u : receipt->entries()) r.receipt_participants.push_back(u.participant_id());
      std::sort(r.receipt_participants.begin(), r.receipt_participants.end());
    }
    r.metrics = nlohmann::json::parse(e.metrics_json, nullptr, false);
    out.push_back(std::move(r));
  }
  return out;
}

RunResult FederationHarness::VerifyLog() const {
  return Run({Bin("fedtee"), "log", "verify", Path("state/round_log.jsonl").string()});
}

double FederationHarness::TestAccuracy(const fs::path& model) const {
  fs::path m = model.empty() ? Path("state/model.safetensors") : model;
  RunResult r =
      Run({Bin("fedtee"), "model", "evaluate", "--model", m.string(), "--csv",
           Path("data/test.csv").string(), "--scaler", Path("data/scaler.json").string()});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "fedtee model evaluate exited " << r.exit_code << ": " << r.err;
    return -1;
  }
  auto pos = r.out.find("accuracy:");
  if (pos == std::string::npos) return -1;
  return std::stod(r.out.substr(pos + 9));
}

}  // namespace fedtee::testsupport
