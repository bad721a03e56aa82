#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace fedtee {
namespace {

Status Errno(const std::string& what, const std::filesystem::path& path) {
  return Status::IOError("file.write", what + " " + path.string() + ": " + std::strerror(errno));
}

Status WriteAll(int fd, ByteSpan data, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<Bytes> ReadFile(const std::filesystem::path& path, size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound("file.not_found", "no such file: " + path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("file.read", "cannot open " + path.string());
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) return Status::IOError("file.read", "cannot size " + path.string());
  if (static_cast<uint64_t>(size) > max_bytes) {
    return Status::OutOfRange("file.too_large", path.string() + " is " + std::to_string(size) +
                                                     " bytes, limit " + std::to_string(max_bytes));
  }
  in.seekg(0);
  Bytes out(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(out.data()), size)) {
    return Status::IOError("file.read", "short read from " + path.string());
  }
  return out;
}

Result<std::string> ReadTextFile(const std::filesystem::path& path, size_t max_bytes) {
  FEDTEE_ASSIGN_OR_RETURN(Bytes b, ReadFile(path, max_bytes));
  return std::string(b.begin(), b.end());
}

Status WriteFileAtomic(const std::filesystem::path& path, ByteSpan data, unsigned mode) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::random_device rd;
  std::filesystem::path tmp = dir / ("." + path.filename().string() + ".tmp" +
                                     std::to_string(rd()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Errno("create", tmp);
  Status s = WriteAll(fd, data, tmp);
  if (s.ok() && ::fchmod(fd, mode) != 0) s = Errno("chmod", tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Errno("fsync", tmp);
  if (::close(fd) != 0 && s.ok()) s = Errno("close", tmp);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = Errno("rename", path);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("open directory", dir);
  int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return Errno("fsync directory", dir);
  return Status::Ok();
}

}  // namespace fedtee
