#include "attestation/tsm/tsm_device.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "attestation/errors.h"

namespace fedtee::attestation::tsm {
namespace {

Status DeviceError(const std::string& what, int err) {
  return Status::IOError(errors::kDeviceError, "configfs-tsm: " + what + ": " + std::strerror(err));
}

}  // namespace

std::string_view TsmAttributeName(TsmAttribute a) {
  switch (a) {
    case TsmAttribute::kOutblob:
      return "outblob";
    case TsmAttribute::kAuxblob:
      return "auxblob";
    case TsmAttribute::kProvider:
      return "provider";
    case TsmAttribute::kGeneration:
      return "generation";
  }
  return "";
}

ConfigfsTsmDevice::ConfigfsTsmDevice(std::filesystem::path root) : root_(std::move(root)) {}

Status ConfigfsTsmDevice::CreateEntry(const std::string& name) {
  const auto dir = root_ / name;
  if (::mkdir(dir.c_str(), 0700) != 0) return DeviceError("mkdir " + dir.string(), errno);
  return Status::Ok();
}

Status ConfigfsTsmDevice::WriteInblob(const std::string& name, ByteSpan data) {
  const auto path = root_ / name / "inblob";
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return DeviceError("open " + path.string(), errno);
  // configfs binary attributes take the whole value in one write.
  ssize_t n = ::write(fd, data.data(), data.size());
  int err = errno;
  if (::close(fd) != 0 && n >= 0) return DeviceError("close " + path.string(), errno);
  if (n < 0) return DeviceError("write " + path.string(), err);
  if (static_cast<size_t>(n) != data.size())
    return DeviceError("short write " + path.string(), EIO);
  return Status::Ok();
}

Result<Bytes> ConfigfsTsmDevice::Read(const std::string& name, TsmAttribute attribute) {
  const auto path = root_ / name / std::string(TsmAttributeName(attribute));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      return Status::NotFound(errors::kDeviceError, "configfs-tsm: no " + path.string());
    }
    return DeviceError("open " + path.string(), err);
  }
  Bytes out;
  uint8_t buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return DeviceError("read " + path.string(), err);
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

Status ConfigfsTsmDevice::RemoveEntry(const std::string& name) {
  const auto dir = root_ / name;
  if (::rmdir(dir.c_str()) != 0) return DeviceError("rmdir " + dir.string(), errno);
  return Status::Ok();
}

bool TsmAvailable(const std::filesystem::path& root) {
  std::error_code ec;
  return std::filesystem::is_directory(root, ec);
}

}  // namespace fedtee::attestation::tsm
