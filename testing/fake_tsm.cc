#include "testing/fake_tsm.h"

#include <algorithm>
#include <fstream>

#include "attestation/errors.h"

namespace fedtee::fakes {

using attestation::tsm::ConfigfsTsmDevice;
using attestation::tsm::TsmAttribute;
using attestation::tsm::TsmDevice;

struct FakeTsm::State {
  std::mutex mu;
  std::string provider;
  ReportFn make_report;
  Bytes auxblob;
  bool concurrent_writer = false;
  int created = 0, removed = 0;
};

namespace {

Status WriteWhole(const std::filesystem::path& path, ByteSpan data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out)
    return Status::IOError(attestation::errors::kDeviceError, "fake tsm: write " + path.string());
  return Status::Ok();
}

class FakeTsmDevice final : public TsmDevice {
 public:
  FakeTsmDevice(std::filesystem::path root, std::shared_ptr<FakeTsm::State> state)
      : real_(root), root_(std::move(root)), state_(std::move(state)) {}

  Status CreateEntry(const std::string& name) override {
    FEDTEE_RETURN_IF_ERROR(real_.CreateEntry(name));
    std::lock_guard<std::mutex> lock(state_->mu);
    ++state_->created;
    const auto dir = root_ / name;
    FEDTEE_RETURN_IF_ERROR(WriteWhole(dir / "provider", AsBytes(state_->provider + "\n")));
    FEDTEE_RETURN_IF_ERROR(WriteWhole(dir / "generation", AsBytes("0\n")));
    return WriteWhole(dir / "inblob", {});
  }

  Status WriteInblob(const std::string& name, ByteSpan data) override {
    FEDTEE_RETURN_IF_ERROR(real_.WriteInblob(name, data));
    std::lock_guard<std::mutex> lock(state_->mu);
    const auto dir = root_ / name;
    FEDTEE_ASSIGN_OR_RETURN(Bytes gen_text, real_.Read(name, TsmAttribute::kGeneration));
    uint64_t gen = std::stoull(ToString(gen_text));
    gen += state_->concurrent_writer ? 2 : 1;
    FEDTEE_RETURN_IF_ERROR(WriteWhole(dir / "generation", AsBytes(std::to_string(gen) + "\n")));
    attestation::ReportData report_data{};
    std::copy_n(data.begin(), std::min(data.size(), report_data.size()), report_data.begin());
    FEDTEE_ASSIGN_OR_RETURN(Bytes out, state_->make_report(report_data));
    FEDTEE_RETURN_IF_ERROR(WriteWhole(dir / "outblob", out));
    if (!state_->auxblob.empty())
      FEDTEE_RETURN_IF_ERROR(WriteWhole(dir / "auxblob", state_->auxblob));
    return Status::Ok();
  }

  Result<Bytes> Read(const std::string& name, TsmAttribute attribute) override {
    return real_.Read(name, attribute);
  }

  Status RemoveEntry(const std::string& name) override {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      ++state_->removed;
    }
    std::error_code ec;
    for (const char* f : {"provider", "generation", "inblob", "outblob", "auxblob"}) {
      std::filesystem::remove(root_ / name / f, ec);
    }
    return real_.RemoveEntry(name);
  }

 private:
  ConfigfsTsmDevice real_;
  std::filesystem::path root_;
  std::shared_ptr<FakeTsm::State> state_;
};

}  // namespace

FakeTsm::FakeTsm(std::filesystem::path root, std::string provider, ReportFn make_report,
                 Bytes auxblob)
    : root_(std::move(root)), state_(std::make_shared<State>()) {
  state_->provider = std::move(provider);
  state_->make_report = std::move(make_report);
  state_->auxblob = std::move(auxblob);
}

std::unique_ptr<TsmDevice> FakeTsm::NewDevice() {
  return std::make_unique<FakeTsmDevice>(root_, state_);
}

void FakeTsm::SetConcurrentWriter(bool on) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->concurrent_writer = on;
}

int FakeTsm::entries_created() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->created;
}

int FakeTsm::entries_removed() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->removed;
}

}  // namespace fedtee::fakes
