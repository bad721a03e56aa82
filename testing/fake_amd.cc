#include "testing/fake_amd.h"

#include <algorithm>

#include "attestation/snp/vcek.h"

namespace fedtee::fakes {
namespace {

using attestation::snp::SnpProduct;
using attestation::snp::SnpReport;
namespace snp = attestation::snp;

void PutLe(Bytes& b, size_t off, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

void Put(Bytes& b, size_t off, const Bytes& field) {
  std::copy(field.begin(), field.end(), b.begin() + off);
}

Bytes Pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + 7 * i);
  return b;
}

ForgeSpec Spec(const std::string& cn, const FakeAmdOptions& o, bool ca, uint64_t serial) {
  ForgeSpec s;
  s.common_name = cn;
  s.organization = "Advanced Micro Devices (fake)";
  s.not_before = o.not_before;
  s.not_after = o.not_after;
  s.is_ca = ca;
  s.serial = serial;
  return s;
}

}  // namespace

Bytes SerializeSnpReport(const SnpReport& r) {
  Bytes b(snp::kReportSize, 0);
  PutLe(b, 0x000, r.version, 4);
  PutLe(b, 0x004, r.guest_svn, 4);
  PutLe(b, 0x008, r.policy, 8);
  Put(b, 0x010, r.family_id);
  Put(b, 0x020, r.image_id);
  PutLe(b, 0x030, r.vmpl, 4);
  PutLe(b, 0x034, r.signature_algo, 4);
  PutLe(b, 0x038, r.current_tcb, 8);
  PutLe(b, 0x040, r.platform_info, 8);
  PutLe(b, 0x048, r.signer_info, 4);
  Put(b, 0x050, r.report_data);
  Put(b, 0x090, r.measurement);
  Put(b, 0x0C0, r.host_data);
  Put(b, 0x0E0, r.id_key_digest);
  Put(b, 0x110, r.author_key_digest);
  Put(b, 0x140, r.report_id);
  Put(b, 0x160, r.report_id_ma);
  PutLe(b, 0x180, r.reported_tcb, 8);
  if (r.version >= 3) {
    b[0x188] = r.cpuid_family.value_or(0);
    b[0x189] = r.cpuid_model.value_or(0);
    b[0x18A] = r.cpuid_stepping.value_or(0);
  }
  Put(b, 0x1A0, r.chip_id);
  PutLe(b, 0x1E0, r.committed_tcb, 8);
  b[0x1E8] = r.current_build;
  b[0x1E9] = r.current_minor;
  b[0x1EA] = r.current_major;
  b[0x1EC] = r.committed_build;
  b[0x1ED] = r.committed_minor;
  b[0x1EE] = r.committed_major;
  PutLe(b, 0x1F0, r.launch_tcb, 8);
  Put(b, snp::kSignatureROffset, r.signature_r);
  Put(b, snp::kSignatureSOffset, r.signature_s);
  return b;
}

SnpReport SampleSnpReport(SnpProduct product, const SnpTcb& tcb, const Bytes& chip_id) {
  SnpReport r;
  r.version = 2;
  r.guest_svn = 1;
  r.policy = 0x30000;
  r.family_id = Pattern(16, 0x10);
  r.image_id = Pattern(16, 0x20);
  r.vmpl = 0;
  r.signature_algo = snp::kSigAlgoEcdsaP384Sha384;
  const uint64_t t = snp::EncodeTcb(tcb, product);
  r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = t;
  r.platform_info = 1;
  r.signer_info = 0;  // VCEK, chip id not masked
  r.report_data = Pattern(64, 0x50);
  r.measurement = Pattern(48, 0x90);
  r.host_data = Pattern(32, 0xC0);
  r.id_key_digest = Pattern(48, 0xE0);
  r.author_key_digest = Bytes(48, 0);
  r.report_id = Pattern(32, 0x40);
  r.report_id_ma = Bytes(32, 0xFF);
  r.chip_id = chip_id;
  r.current_build = r.committed_build = 3;
  r.current_minor = r.committed_minor = 55;
  r.current_major = r.committed_major = 1;
  r.signature_r = Bytes(72, 0);
  r.signature_s = Bytes(72, 0);
  return r;
}

Result<FakeAmd> FakeAmd::Create(const FakeAmdOptions& options) {
  FakeAmd f;
  f.options_ = options;
  const bool turin = options.product == SnpProduct::kTurin;
  if (f.options_.hw_id.empty()) f.options_.hw_id = Pattern(turin ? 8 : 64, 0xA5);
  const std::string product(snp::SnpProductName(options.product));
  FEDTEE_ASSIGN_OR_RETURN(f.ark_key_, GenerateRsaKey(2048));
  FEDTEE_ASSIGN_OR_RETURN(f.ask_key_, GenerateRsaKey(2048));
  FEDTEE_ASSIGN_OR_RETURN(f.vcek_key_, GenerateEcKey("P-384"));
  FEDTEE_ASSIGN_OR_RETURN(
      f.ark_,
      ForgeCert(f.ark_key_.get(), Spec("ARK-" + product + " " + options.tag, options, true, 1),
                nullptr, f.ark_key_.get(), SigScheme::kRsaPssSha384));
  FEDTEE_ASSIGN_OR_RETURN(
      f.ask_,
      ForgeCert(f.ask_key_.get(), Spec("SEV-" + product + " " + options.tag, options, true, 2),
                f.ark_.get(), f.ark_key_.get(), SigScheme::kRsaPssSha384));
  f.ark_der_ = attestation::x509::CertToDer(f.ark_.get());
  f.ask_der_ = attestation::x509::CertToDer(f.ask_.get());
  FEDTEE_ASSIGN_OR_RETURN(f.vcek_der_, f.IssueVcek(options.tcb, f.options_.hw_id));
  return f;
}

Bytes FakeAmd::chip_id() const {
  Bytes id = options_.hw_id;
  id.resize(64, 0);
  return id;
}

Result<Bytes> FakeAmd::IssueVcek(const SnpTcb& tcb, const Bytes& hw_id, const std::string& omit_oid,
                                 int64_t not_after) const {
  const std::string product(snp::SnpProductName(options_.product));
  ForgeSpec spec = Spec("SEV-VCEK", options_, false, 0x1000);
  if (not_after != 0) spec.not_after = not_after;
  std::vector<RawExtension> ext = {
      {"1.3.6.1.4.1.3704.1.1", DerInteger(options_.product == SnpProduct::kTurin ? 1 : 0)},
      {snp::kOidProductName, DerIa5String(product + "-B0")},
      {snp::kOidBlSpl, DerInteger(tcb.bootloader)},
      {snp::kOidTeeSpl, DerInteger(tcb.tee)},
      {snp::kOidSnpSpl, DerInteger(tcb.snp)},
      {snp::kOidUcodeSpl, DerInteger(tcb.microcode)},
      {snp::kOidHwId, hw_id},  // bare, as AMD's KDS writes it
  };
  if (options_.product == SnpProduct::kTurin) ext.push_back({snp::kOidFmcSpl, DerInteger(tcb.fmc)});
  for (const auto& e : ext) {
    if (e.oid != omit_oid) spec.extensions.push_back(e);
  }
  FEDTEE_ASSIGN_OR_RETURN(CertPtr vcek, ForgeCert(vcek_key_.get(), spec, ask_.get(), ask_key_.get(),
                                                  SigScheme::kRsaPssSha384));
  return attestation::x509::CertToDer(vcek.get());
}

Result<Bytes> FakeAmd::IssueAsk(int64_t not_before, int64_t not_after) const {
  ForgeSpec spec =
      Spec("SEV-" + std::string(snp::SnpProductName(options_.product)) + " " + options_.tag,
           options_, true, 2);
  spec.not_before = not_before;
  spec.not_after = not_after;
  FEDTEE_ASSIGN_OR_RETURN(CertPtr ask, ForgeCert(ask_key_.get(), spec, ark_.get(), ark_key_.get(),
                                                 SigScheme::kRsaPssSha384));
  return attestation::x509::CertToDer(ask.get());
}

Result<Bytes> FakeAmd::MakeSignedReport() const {
  Bytes report = SerializeSnpReport(SampleSnpReport(options_.product, options_.tcb, chip_id()));
  FEDTEE_RETURN_IF_ERROR(Sign(report));
  return report;
}

Status FakeAmd::Sign(Bytes& report) const {
  if (report.size() != snp::kReportSize) {
    return Status::InvalidArgument("fakes.bad_report", "not 1184 bytes");
  }
  FEDTEE_ASSIGN_OR_RETURN(Bytes rs, RawEcdsaSign(vcek_key_.get(), EVP_sha384(),
                                                 ByteSpan(report).first(snp::kSignedSize),
                                                 snp::kSignatureComponentSize, true));
  std::copy(rs.begin(), rs.begin() + 72, report.begin() + snp::kSignatureROffset);
  std::copy(rs.begin() + 72, rs.end(), report.begin() + snp::kSignatureSOffset);
  return Status::Ok();
}

}  // namespace fedtee::fakes
