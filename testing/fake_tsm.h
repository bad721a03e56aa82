// A directory that behaves like configfs-tsm (attestation/tsm/tsm_device.h) for tests: the
// real ConfigfsTsmDevice does the file I/O; this wrapper plays the kernel's part, filling
// `provider` and `generation` when an entry is made, producing `outblob` (and `auxblob`)
// when `inblob` is written, and deleting the attribute files before rmdir, as configfs
// does. It can also simulate a concurrent writer.
// Thread-safety: a FakeTsm and its devices share state under a mutex.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "attestation/claims.h"
#include "attestation/tsm/tsm_device.h"
#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::fakes {

class FakeTsm {
 public:
  // Produces the outblob for the REPORT_DATA written to inblob.
  using ReportFn = std::function<Result<Bytes>(const attestation::ReportData&)>;

  // `root` must exist (e.g. a fresh temporary directory). `provider`: "sev_guest",
  // "tdx_guest" or anything else to test refusal. `auxblob` is written for every request
  // when non-empty.
  FakeTsm(std::filesystem::path root, std::string provider, ReportFn make_report,
          Bytes auxblob = {});

  // A device over the root whose kernel side is this fake. Many may exist at once.
  std::unique_ptr<attestation::tsm::TsmDevice> NewDevice();

  // When set, each inblob write also counts one extra (foreign) write in `generation`.
  void SetConcurrentWriter(bool on);
  int entries_created() const;
  int entries_removed() const;
  const std::filesystem::path& root() const { return root_; }

  struct State;

 private:
  std::filesystem::path root_;
  std::shared_ptr<State> state_;
};

}  // namespace fedtee::fakes
