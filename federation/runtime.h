// Process plumbing shared by fedtee-coordinator, fedtee-aggregator and fedtee-participant:
// log levels, SIGINT/SIGTERM handling, and JSON metrics lines (--metrics-json FILE).
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace fedtee::federation {

// Sets the default spdlog logger's level ("trace", "debug", "info", "warn", "error",
// "off") and pattern "[time] [process] [level] message" on stderr.
// INVALID_ARGUMENT "config.log_level" on an unknown level.
Status SetupLogging(const std::string& level, const std::string& process_name);

// Installs SIGINT and SIGTERM handlers that set a flag (the second signal exits at once).
void InstallStopHandlers();
// True once SIGINT or SIGTERM arrived. Async-signal-safe read.
bool StopRequested();

// Appends one JSON object per line to a file; a no-op when opened with an empty path.
// Each line gets "ts_ms" and "process". Thread-safe.
class MetricsWriter {
 public:
  MetricsWriter() = default;
  ~MetricsWriter();
  MetricsWriter(const MetricsWriter&) = delete;
  MetricsWriter& operator=(const MetricsWriter&) = delete;
  // IO_ERROR "metrics.open" when the file cannot be opened for appending.
  Status Open(const std::string& path, const std::string& process_name);
  void Write(nlohmann::json event);

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::string process_;
};

// Milliseconds since the Unix epoch (wall clock), for deadlines carried in messages.
uint64_t NowMs();

}  // namespace fedtee::federation
