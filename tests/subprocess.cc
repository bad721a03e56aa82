#include "tests/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace fedtee::testsupport {
namespace {

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

pid_t Spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
  pid_t pid = fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    if (in_fd >= 0) dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

Subprocess::Subprocess(std::vector<std::string> argv, std::filesystem::path log_path,
                       std::filesystem::path stdin_path)
    : log_(std::move(log_path)) {
  int out = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int in = stdin_path.empty() ? open("/dev/null", O_RDONLY | O_CLOEXEC)
                              : open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  pid_ = Spawn(argv, in, out, out);
  close(out);
  if (in >= 0) close(in);
}

Subprocess::~Subprocess() {
  if (running()) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(5));
  }
}

std::optional<int> Subprocess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = DecodeStatus(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= end) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Subprocess::Signal(int sig) {
  if (!exit_code_) kill(pid_, sig);
}

bool Subprocess::running() { return !Wait(std::chrono::milliseconds(0)).has_value(); }

std::string Subprocess::Log() const { return ReadAll(log_); }

RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_data,
              std::chrono::milliseconds timeout) {
  char in_tmpl[] = "/tmp/fedtee-run-in-XXXXXX";
  char out_tmpl[] = "/tmp/fedtee-run-out-XXXXXX";
  char err_tmpl[] = "/tmp/fedtee-run-err-XXXXXX";
  int in = mkstemp(in_tmpl), out = mkstemp(out_tmpl), err = mkstemp(err_tmpl);
  if (write(in, stdin_data.data(), stdin_data.size()) != static_cast<ssize_t>(stdin_data.size())) {
    std::abort();
  }
  lseek(in, 0, SEEK_SET);
  pid_t pid = Spawn(argv, in, out, err);
  RunResult r;
  auto end = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= end) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.exit_code = DecodeStatus(status);
  r.out = ReadAll(out_tmpl);
  r.err = ReadAll(err_tmpl);
  close(in);
  close(out);
  close(err);
  unlink(in_tmpl);
  unlink(out_tmpl);
  unlink(err_tmpl);
  return r;
}

TempDir::TempDir(const std::string& name) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("fedtee-" + name + "-XXXXXX"));
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) std::abort();
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (!std::getenv("FEDTEE_KEEP_TEST_DIRS")) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string Bin(const std::string& name) { return std::string(FEDTEE_BIN_DIR) + "/" + name; }

}  // namespace fedtee::testsupport
