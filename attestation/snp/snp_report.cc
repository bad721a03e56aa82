#include "attestation/snp/snp_report.h"

#include <cstdio>
#include <string>

#include "attestation/errors.h"

namespace fedtee::attestation::snp {
namespace {

uint32_t U32(ByteSpan b, size_t off) {
  return uint32_t{b[off]} | uint32_t{b[off + 1]} << 8 | uint32_t{b[off + 2]} << 16 |
         uint32_t{b[off + 3]} << 24;
}

uint64_t U64(ByteSpan b, size_t off) {
  return uint64_t{U32(b, off)} | uint64_t{U32(b, off + 4)} << 32;
}

Bytes Slice(ByteSpan b, size_t off, size_t len) {
  return Bytes(b.begin() + off, b.begin() + off + len);
}

std::string Hex32(size_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%03zX", v);
  return buf;
}

// OK when bytes [lo, hi) are all zero; reserved_nonzero naming the first offending byte.
Status MustBeZero(ByteSpan b, size_t lo, size_t hi) {
  for (size_t i = lo; i < hi; ++i) {
    if (b[i] != 0) {
      return Status::Corruption(errors::kReservedNonzero,
                                "SEV-SNP report: reserved byte at " + Hex32(i) + " is not zero");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view SnpProductName(SnpProduct p) {
  switch (p) {
    case SnpProduct::kMilan:
      return "Milan";
    case SnpProduct::kGenoa:
      return "Genoa";
    case SnpProduct::kTurin:
      return "Turin";
  }
  return "unknown";
}

SnpTcb DecodeTcb(uint64_t v, SnpProduct product) {
  auto byte = [v](int i) { return static_cast<uint8_t>(v >> (8 * i)); };
  SnpTcb t;
  if (product == SnpProduct::kTurin) {
    t.fmc = byte(0);
    t.bootloader = byte(1);
    t.tee = byte(2);
    t.snp = byte(3);
  } else {
    t.bootloader = byte(0);
    t.tee = byte(1);
    t.snp = byte(6);
  }
  t.microcode = byte(7);
  return t;
}

uint64_t EncodeTcb(const SnpTcb& t, SnpProduct product) {
  auto at = [](uint8_t b, int i) { return uint64_t{b} << (8 * i); };
  if (product == SnpProduct::kTurin) {
    return at(t.fmc, 0) | at(t.bootloader, 1) | at(t.tee, 2) | at(t.snp, 3) | at(t.microcode, 7);
  }
  return at(t.bootloader, 0) | at(t.tee, 1) | at(t.snp, 6) | at(t.microcode, 7);
}

Result<SnpReport> ParseSnpReport(ByteSpan b) {
  if (b.size() != kReportSize) {
    return Status::Corruption(
        errors::kMalformedEvidence,
        "SEV-SNP report is " + std::to_string(b.size()) + " bytes, expected 1184");
  }
  SnpReport r;
  r.version = U32(b, 0x000);
  if (r.version != 2 && r.version != 3) {
    return Status::Corruption(
        errors::kUnsupportedVersion,
        "SEV-SNP report version " + std::to_string(r.version) + " (fedtee reads versions 2 and 3)");
  }
  r.guest_svn = U32(b, 0x004);
  r.policy = U64(b, 0x008);
  r.family_id = Slice(b, 0x010, 16);
  r.image_id = Slice(b, 0x020, 16);
  r.vmpl = U32(b, 0x030);
  r.signature_algo = U32(b, 0x034);
  if (r.signature_algo != kSigAlgoEcdsaP384Sha384) {
    return Status::Corruption(errors::kUnsupportedVersion,
                              "SEV-SNP signature algorithm " + std::to_string(r.signature_algo) +
                                  " (only 1, ECDSA P-384 with SHA-384, is defined)");
  }
  r.current_tcb = U64(b, 0x038);
  r.platform_info = U64(b, 0x040);
  r.signer_info = U32(b, 0x048);
  if ((r.signer_info >> 5) != 0) {
    return Status::Corruption(errors::kReservedNonzero,
                              "SEV-SNP report: reserved bits 31:5 of the word at 0x048 are set");
  }
  FEDTEE_RETURN_IF_ERROR(MustBeZero(b, 0x04C, 0x050));
  r.report_data = Slice(b, 0x050, 64);
  r.measurement = Slice(b, 0x090, 48);
  r.host_data = Slice(b, 0x0C0, 32);
  r.id_key_digest = Slice(b, 0x0E0, 48);
  r.author_key_digest = Slice(b, 0x110, 48);
  r.report_id = Slice(b, 0x140, 32);
  r.report_id_ma = Slice(b, 0x160, 32);
  r.reported_tcb = U64(b, 0x180);
  size_t reserved_from = 0x188;
  if (r.version >= 3) {
    r.cpuid_family = b[0x188];
    r.cpuid_model = b[0x189];
    r.cpuid_stepping = b[0x18A];
    reserved_from = 0x18B;
  }
  FEDTEE_RETURN_IF_ERROR(MustBeZero(b, reserved_from, 0x1A0));
  r.chip_id = Slice(b, 0x1A0, 64);
  r.committed_tcb = U64(b, 0x1E0);
  r.current_build = b[0x1E8];
  r.current_minor = b[0x1E9];
  r.current_major = b[0x1EA];
  FEDTEE_RETURN_IF_ERROR(MustBeZero(b, 0x1EB, 0x1EC));
  r.committed_build = b[0x1EC];
  r.committed_minor = b[0x1ED];
  r.committed_major = b[0x1EE];
  FEDTEE_RETURN_IF_ERROR(MustBeZero(b, 0x1EF, 0x1F0));
  r.launch_tcb = U64(b, 0x1F0);
  FEDTEE_RETURN_IF_ERROR(MustBeZero(b, 0x1F8, kSignedSize));
  r.signature_r = Slice(b, kSignatureROffset, kSignatureComponentSize);
  r.signature_s = Slice(b, kSignatureSOffset, kSignatureComponentSize);
  FEDTEE_RETURN_IF_ERROR(MustBeZero(b, kSignatureSOffset + kSignatureComponentSize, kReportSize));
  return r;
}

}  // namespace fedtee::attestation::snp
