// The TEE device behind the tsm attester: Linux configfs-tsm
// (Documentation/ABI/testing/configfs-tsm-report). A report request is a directory
// <root>/<name> the caller creates; the kernel gives it attribute files:
//   inblob      (write) up to 64 bytes of REPORT_DATA
//   outblob     (read)  the report: an SEV-SNP ATTESTATION_REPORT or a TDX quote
//   auxblob     (read)  SEV-SNP only: the certificate table (VCEK, ASK, ARK)
//   provider    (read)  "sev_guest" or "tdx_guest"
//   generation  (read)  counts writes to inblob and options; detects concurrent writers
// Behind an interface so tests inject a directory that behaves like configfs-tsm (see
// testing/fake_tsm.h). Thread-safety: ConfigfsTsmDevice holds no state beyond its root and
// may be shared; concurrent requests must use distinct entry names.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::tsm {

inline constexpr char kDefaultTsmRoot[] = "/sys/kernel/config/tsm/report";

enum class TsmAttribute { kOutblob, kAuxblob, kProvider, kGeneration };
std::string_view TsmAttributeName(TsmAttribute a);  // "outblob", ...

class TsmDevice {
 public:
  virtual ~TsmDevice() = default;
  // Creates the request entry `name` (mkdir). IO_ERROR attestation.device_error, also when
  // it already exists.
  virtual Status CreateEntry(const std::string& name) = 0;
  // Writes REPORT_DATA to the entry's inblob. IO_ERROR attestation.device_error.
  virtual Status WriteInblob(const std::string& name, ByteSpan data) = 0;
  // Reads one attribute whole. NOT_FOUND attestation.device_error when the attribute does
  // not exist (e.g. auxblob on TDX), IO_ERROR attestation.device_error otherwise.
  virtual Result<Bytes> Read(const std::string& name, TsmAttribute attribute) = 0;
  // Removes the entry (rmdir). IO_ERROR attestation.device_error.
  virtual Status RemoveEntry(const std::string& name) = 0;
};

// The real device: plain file operations under `root`.
class ConfigfsTsmDevice : public TsmDevice {
 public:
  explicit ConfigfsTsmDevice(std::filesystem::path root = kDefaultTsmRoot);
  const std::filesystem::path& root() const { return root_; }

  Status CreateEntry(const std::string& name) override;
  Status WriteInblob(const std::string& name, ByteSpan data) override;
  Result<Bytes> Read(const std::string& name, TsmAttribute attribute) override;
  Status RemoveEntry(const std::string& name) override;

 private:
  std::filesystem::path root_;
};

// True when `root` is a directory (configfs-tsm mounted and a TSM provider loaded). Used by
// `--attestation auto` to pick tsm over refusing to start.
bool TsmAvailable(const std::filesystem::path& root = kDefaultTsmRoot);

}  // namespace fedtee::attestation::tsm
