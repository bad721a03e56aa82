#include "attestation/tdx/tdx_quote.h"

#include <algorithm>

#include "attestation/errors.h"

namespace fedtee::attestation::tdx {
namespace {

Status Malformed(const std::string& what) {
  return Status::Corruption(errors::kMalformedEvidence, "TDX quote: " + what);
}

Status Unsupported(const std::string& what) {
  return Status::Corruption(errors::kUnsupportedVersion, "TDX quote: " + what);
}

// A bounds-checked little-endian reader.
class Reader {
 public:
  explicit Reader(ByteSpan b) : b_(b) {}
  bool Has(size_t n) const { return b_.size() - pos_ >= n; }
  size_t pos() const { return pos_; }
  ByteSpan rest() const { return b_.subspan(pos_); }
  uint64_t Le(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{b_[pos_ + i]} << (8 * i);
    pos_ += n;
    return v;
  }
  Bytes Take(size_t n) {
    Bytes out(b_.begin() + pos_, b_.begin() + pos_ + n);
    pos_ += n;
    return out;
  }

 private:
  ByteSpan b_;
  size_t pos_ = 0;
};

uint64_t LeAt(ByteSpan b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{b[off + i]} << (8 * i);
  return v;
}

Bytes At(ByteSpan b, size_t off, size_t n) { return Bytes(b.begin() + off, b.begin() + off + n); }

TdReport ParseTdReport(ByteSpan b) {
  TdReport r;
  r.tee_tcb_svn = At(b, 0, 16);
  r.mrseam = At(b, 16, 48);
  r.mrsignerseam = At(b, 64, 48);
  r.seam_attributes = LeAt(b, 112, 8);
  r.td_attributes = LeAt(b, 120, 8);
  r.xfam = LeAt(b, 128, 8);
  r.mrtd = At(b, 136, 48);
  r.mrconfigid = At(b, 184, 48);
  r.mrowner = At(b, 232, 48);
  r.mrownerconfig = At(b, 280, 48);
  for (int i = 0; i < 4; ++i) r.rtmr[i] = At(b, 328 + 48 * i, 48);
  r.report_data = At(b, 520, 64);
  return r;
}

QeReport ParseQeReport(ByteSpan b) {
  QeReport q;
  q.cpusvn = At(b, 0, 16);
  q.miscselect = static_cast<uint32_t>(LeAt(b, 16, 4));
  q.attributes = At(b, 48, 16);
  q.mrenclave = At(b, 64, 32);
  q.mrsigner = At(b, 128, 32);
  q.isvprodid = static_cast<uint16_t>(LeAt(b, 256, 2));
  q.isvsvn = static_cast<uint16_t>(LeAt(b, 258, 2));
  q.report_data = At(b, 320, 64);
  return q;
}

}  // namespace

Result<TdxQuote> ParseTdxQuote(ByteSpan quote) {
  Reader r(quote);
  if (!r.Has(kHeaderSize + kTdReportSize + 4)) return Malformed("shorter than header and body");
  TdxQuote q;
  q.version = static_cast<uint16_t>(r.Le(2));
  if (q.version != 4)
    return Unsupported("version " + std::to_string(q.version) + " (fedtee reads 4)");
  q.attestation_key_type = static_cast<uint16_t>(r.Le(2));
  if (q.attestation_key_type != kAttestationKeyEcdsaP256) {
    return Unsupported("attestation key type " + std::to_string(q.attestation_key_type) +
                       " (only 2, ECDSA P-256)");
  }
  q.tee_type = static_cast<uint32_t>(r.Le(4));
  if (q.tee_type != kTeeTypeTdx) return Unsupported("TEE type is not TDX (0x81)");
  r.Le(4);  // reserved (QE SVN / PCE SVN in older versions)
  q.qe_vendor_id = r.Take(16);
  r.Take(20);  // user data
  q.report = ParseTdReport(r.Take(kTdReportSize));
  q.signed_bytes.assign(quote.begin(), quote.begin() + kHeaderSize + kTdReportSize);

  const uint64_t sig_len = r.Le(4);
  if (!r.Has(sig_len)) return Malformed("signature data runs past the end");
  const size_t sig_end = r.pos() + sig_len;
  if (!r.Has(64 + 64 + 6)) return Malformed("signature data too short");
  q.signature = r.Take(64);
  q.attestation_key = r.Take(64);
  const uint16_t cert_type = static_cast<uint16_t>(r.Le(2));
  const uint64_t cert_len = r.Le(4);
  if (cert_type != kCertDataQeReport) {
    return Unsupported("certification data type " + std::to_string(cert_type) +
                       " (fedtee reads 6, QE report certification data)");
  }
  if (r.pos() + cert_len != sig_end) return Malformed("certification data length mismatch");
  if (!r.Has(kQeReportSize + 64 + 2)) return Malformed("QE report certification data truncated");
  q.qe_report_raw = r.Take(kQeReportSize);
  q.qe_report = ParseQeReport(q.qe_report_raw);
  q.qe_report_signature = r.Take(64);
  const uint64_t auth_len = r.Le(2);
  if (!r.Has(auth_len + 6)) return Malformed("QE authentication data truncated");
  q.qe_auth_data = r.Take(auth_len);
  const uint16_t inner_type = static_cast<uint16_t>(r.Le(2));
  const uint64_t inner_len = r.Le(4);
  if (inner_type != kCertDataPckChain) {
    return Unsupported("nested certification data type " + std::to_string(inner_type) +
                       " (fedtee reads 5, PCK chain in PEM)");
  }
  if (r.pos() + inner_len != sig_end) return Malformed("PCK chain length mismatch");
  Bytes pem = r.Take(inner_len);
  while (!pem.empty() && pem.back() == 0) pem.pop_back();
  q.pck_chain_pem.assign(pem.begin(), pem.end());
  ByteSpan tail = r.rest();
  if (!std::all_of(tail.begin(), tail.end(), [](uint8_t b) { return b == 0; })) {
    return Malformed("non-zero bytes after the quote");
  }
  return q;
}

}  // namespace fedtee::attestation::tdx
