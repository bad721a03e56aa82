#include "federation/runtime.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>

namespace fedtee::federation {
namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnSignal(int) {
  if (g_stop) std::_Exit(130);  // second signal: leave now
  g_stop = 1;
}

}  // namespace

Status SetupLogging(const std::string& level, const std::string& process_name) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return Status::InvalidArgument(
        "config.log_level",
        "unknown log level '" + level + "' (trace, debug, info, warn, error, off)");
  }
  auto logger = spdlog::stderr_color_mt(process_name);
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%n] [%^%l%$] %v");
  spdlog::set_level(lvl);
  return Status::Ok();
}

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool StopRequested() { return g_stop != 0; }

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

MetricsWriter::~MetricsWriter() {
  if (file_) std::fclose(file_);
}

Status MetricsWriter::Open(const std::string& path, const std::string& process_name) {
  process_ = process_name;
  if (path.empty()) return Status::Ok();
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) return Status::IOError("metrics.open", "cannot append to metrics file " + path);
  return Status::Ok();
}

void MetricsWriter::Write(nlohmann::json event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!file_) return;
  event["ts_ms"] = NowMs();
  event["process"] = process_;
  std::string line = event.dump();
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace fedtee::federation
