#include "attestation/tsm/tsm_attester.h"

#include <unistd.h>

#include <cstdlib>

#include "attestation/errors.h"

namespace fedtee::attestation::tsm {
namespace {

std::string Trim(ByteSpan b) {
  std::string s = ToString(b);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<uint64_t> ReadGeneration(TsmDevice& device, const std::string& name) {
  FEDTEE_ASSIGN_OR_RETURN(Bytes raw, device.Read(name, TsmAttribute::kGeneration));
  const std::string text = Trim(raw);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || errno != 0 || end == nullptr || *end != '\0') {
    return Status::IOError(errors::kDeviceError,
                           "configfs-tsm: generation is not a number: '" + text + "'");
  }
  return static_cast<uint64_t>(v);
}

Status AsDeviceError(const Status& s) {
  if (s.ok() || s.reason() == errors::kDeviceError) return s;
  return Status::IOError(errors::kDeviceError, s.message());
}

}  // namespace

Result<Platform> PlatformFromProvider(std::string_view provider) {
  std::string p(provider);
  while (!p.empty() && (p.back() == '\n' || p.back() == '\0')) p.pop_back();
  if (p == "sev_guest") return Platform::kSevSnp;
  if (p == "tdx_guest") return Platform::kTdx;
  return Status::Unimplemented(errors::kUnknownBackend, "configfs-tsm provider '" + p +
                                                            "' is not one fedtee knows "
                                                            "(sev_guest, tdx_guest)");
}

TsmAttester::TsmAttester(std::unique_ptr<TsmDevice> device, Platform platform)
    : device_(std::move(device)), platform_(platform) {}

Result<std::unique_ptr<TsmAttester>> TsmAttester::Create(std::unique_ptr<TsmDevice> device) {
  const std::string name = "fedtee-probe-" + std::to_string(::getpid());
  FEDTEE_RETURN_IF_ERROR(device->CreateEntry(name));
  auto provider = device->Read(name, TsmAttribute::kProvider);
  Status removed = device->RemoveEntry(name);
  if (!provider.ok()) return AsDeviceError(provider.status());
  FEDTEE_RETURN_IF_ERROR(removed);
  FEDTEE_ASSIGN_OR_RETURN(Platform platform, PlatformFromProvider(Trim(*provider)));
  return std::unique_ptr<TsmAttester>(new TsmAttester(std::move(device), platform));
}

std::string TsmAttester::NextEntryName() {
  return "fedtee-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_);
}

Result<Evidence> TsmAttester::Attest(const ReportData& report_data) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string name = NextEntryName();
  FEDTEE_RETURN_IF_ERROR(device_->CreateEntry(name));
  Result<Evidence> result = AttestInEntry(name, report_data);
  Status removed = device_->RemoveEntry(name);
  if (!result.ok()) return AsDeviceError(result.status());
  FEDTEE_RETURN_IF_ERROR(removed);
  return result;
}

Result<Evidence> TsmAttester::AttestInEntry(const std::string& name,
                                            const ReportData& report_data) {
  FEDTEE_ASSIGN_OR_RETURN(uint64_t before, ReadGeneration(*device_, name));
  FEDTEE_RETURN_IF_ERROR(device_->WriteInblob(name, report_data));
  FEDTEE_ASSIGN_OR_RETURN(Bytes outblob, device_->Read(name, TsmAttribute::kOutblob));
  FEDTEE_ASSIGN_OR_RETURN(Bytes provider, device_->Read(name, TsmAttribute::kProvider));
  FEDTEE_ASSIGN_OR_RETURN(Platform platform, PlatformFromProvider(Trim(provider)));
  if (platform != platform_) {
    return Status::IOError(errors::kDeviceError,
                           "configfs-tsm provider changed to " + Trim(provider));
  }
  Evidence evidence;
  evidence.platform = platform;
  if (platform == Platform::kSevSnp) {
    auto aux = device_->Read(name, TsmAttribute::kAuxblob);
    if (aux.ok()) {
      evidence.aux = std::move(aux).value();
    } else if (aux.status().code() != StatusCode::kNotFound) {
      return aux.status();
    }
  }
  FEDTEE_ASSIGN_OR_RETURN(uint64_t after, ReadGeneration(*device_, name));
  if (after != before + 1) {
    return Status::IOError(errors::kDeviceError, "configfs-tsm entry " + name +
                                                     " was written concurrently "
                                                     "(generation " +
                                                     std::to_string(before) + " -> " +
                                                     std::to_string(after) +
                                                     ", expected one write)");
  }
  if (outblob.empty()) {
    return Status::IOError(errors::kDeviceError, "configfs-tsm returned an empty outblob");
  }
  evidence.report = std::move(outblob);
  return evidence;
}

}  // namespace fedtee::attestation::tsm
