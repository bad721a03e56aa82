// Real child processes for cross-process tests: start an executable with arguments, its
// stdout and stderr going to a log file, wait for it with a bound, signal it. The child is
// killed (SIGKILL) when the Subprocess is destroyed while still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fedtee::testsupport {

class Subprocess {
 public:
  // Starts `argv[0]` (a path) with `argv`; output to `log_path` (appended). Optional stdin
  // from `stdin_path`. Aborts the test process if fork fails.
  Subprocess(std::vector<std::string> argv, std::filesystem::path log_path,
             std::filesystem::path stdin_path = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits up to `timeout` for exit. The exit code (128+signal for a signal), or nullopt on
  // timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  void Signal(int sig);
  bool running();
  const std::filesystem::path& log_path() const { return log_; }
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path log_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;   // stdout
  std::string err;   // stderr
};

// Runs a command to completion (bounded by `timeout`; killed after) and captures output.
// `stdin_data` is fed to its standard input.
RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_data = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A fresh temporary directory removed at destruction (unless FEDTEE_KEEP_TEST_DIRS is set).
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& p) const { return path_ / p; }

 private:
  std::filesystem::path path_;
};

std::string ReadAll(const std::filesystem::path& path);
void WriteAll(const std::filesystem::path& path, const std::string& text);

// Path of a built executable in build/bin.
std::string Bin(const std::string& name);

}  // namespace fedtee::testsupport
