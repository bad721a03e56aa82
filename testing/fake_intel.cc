#include "testing/fake_intel.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "crypto/digest.h"

namespace fedtee::fakes {
namespace {

using nlohmann::json;
namespace x509 = attestation::x509;

constexpr char kSgx[] = "1.2.840.113741.1.13.1";

std::string Oid(const std::string& suffix) { return std::string(kSgx) + suffix; }

Bytes Pair(const std::string& oid, const Bytes& value) {
  return DerSequence({DerOid(oid.c_str()), value});
}

Bytes SgxExtension(const FakeIntelOptions& o) {
  std::vector<Bytes> tcb;
  for (int i = 0; i < 16; ++i) {
    tcb.push_back(Pair(Oid(".2." + std::to_string(i + 1)), DerInteger(o.pck_components[i])));
  }
  tcb.push_back(Pair(Oid(".2.17"), DerInteger(o.pck_pcesvn)));
  tcb.push_back(
      Pair(Oid(".2.18"), DerOctetString(Bytes(o.pck_components.begin(), o.pck_components.end()))));
  return DerSequence({
      Pair(Oid(".1"), DerOctetString(Bytes(16, 0x77))), Pair(Oid(".2"), DerSequence(tcb)),
      Pair(Oid(".3"), DerOctetString(Bytes{0x00, 0x00})), Pair(Oid(".4"), DerOctetString(o.fmspc)),
      Pair(Oid(".5"), DerTlv(0x0A, Bytes{0x00})),  // SGX type: Standard
  });
}

ForgeSpec Spec(const std::string& cn, const FakeIntelOptions& o, bool ca, uint64_t serial) {
  ForgeSpec s;
  s.common_name = cn;
  s.organization = "Intel Corporation (fake)";
  s.not_before = o.cert_not_before;
  s.not_after = o.cert_not_after;
  s.is_ca = ca;
  s.serial = serial;
  return s;
}

json Components(const std::array<uint8_t, 16>& svns) {
  json list = json::array();
  for (uint8_t s : svns) list.push_back({{"svn", s}});
  return list;
}

std::string Hex(ByteSpan b) {
  std::string s = HexEncode(b);
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

std::string BuildTcbInfo(const FakeIntelOptions& o) {
  std::array<uint8_t, 16> tdx_up = {5, 0, 2};
  // The top level is the default platform's TCB, so options lowering it are seen as lower.
  std::array<uint8_t, 16> sgx_up = FakeIntelOptions{}.pck_components;
  std::array<uint8_t, 16> zeros{};
  const std::string zeros48(96, '0');
  json info = {
      {"id", "TDX"},
      {"version", 3},
      {"issueDate", FormatRfc3339(o.collateral_issue)},
      {"nextUpdate", FormatRfc3339(o.collateral_next)},
      {"fmspc", Hex(o.tcb_info_fmspc.empty() ? o.fmspc : o.tcb_info_fmspc)},
      {"pceId", "0000"},
      {"tcbType", 0},
      {"tcbEvaluationDataNumber", 17},
      {"tdxModule",
       {{"mrsigner", zeros48},
        {"attributes", "0000000000000000"},
        {"attributesMask", "FFFFFFFFFFFFFFFF"}}},
      {"tdxModuleIdentities",
       json::array({{{"id", "TDX_01"},
                     {"mrsigner", zeros48},
                     {"attributes", "0000000000000000"},
                     {"attributesMask", "FFFFFFFFFFFFFFFF"},
                     {"tcbLevels", json::array({{{"tcb", {{"isvsvn", 4}}},
                                                 {"tcbDate", "2024-03-13T00:00:00Z"},
                                                 {"tcbStatus", "UpToDate"}},
                                                {{"tcb", {{"isvsvn", 2}}},
                                                 {"tcbDate", "2023-08-09T00:00:00Z"},
                                                 {"tcbStatus", "OutOfDate"}}})}}})},
      {"tcbLevels",
       json::array({{{"tcb",
                      {{"sgxtcbcomponents", Components(sgx_up)},
                       {"pcesvn", 11},
                       {"tdxtcbcomponents", Components(tdx_up)}}},
                     {"tcbDate", "2024-03-13T00:00:00Z"},
                     {"tcbStatus", "UpToDate"}},
                    {{"tcb",
                      {{"sgxtcbcomponents", Components(zeros)},
                       {"pcesvn", 5},
                       {"tdxtcbcomponents", Components(zeros)}}},
                     {"tcbDate", "2018-01-04T00:00:00Z"},
                     {"tcbStatus", "OutOfDate"},
                     {"advisoryIDs", json::array({"INTEL-SA-00001", "INTEL-SA-00002"})}}})},
  };
  return info.dump();
}

std::string BuildQeIdentity(const FakeIntelOptions& o) {
  json id = {
      {"id", "TD_QE"},
      {"version", 2},
      {"issueDate", FormatRfc3339(o.collateral_issue)},
      {"nextUpdate", FormatRfc3339(o.collateral_next)},
      {"tcbEvaluationDataNumber", 17},
      {"miscselect", "00000000"},
      {"miscselectMask", "FFFFFFFF"},
      {"attributes", "11000000000000000000000000000000"},
      {"attributesMask", "FBFFFFFFFFFFFFFF0000000000000000"},
      {"mrsigner", Hex(FakeIntel::QeMrsigner())},
      {"isvprodid", 2},
      {"tcbLevels", json::array({{{"tcb", {{"isvsvn", 4}}},
                                  {"tcbDate", "2024-03-13T00:00:00Z"},
                                  {"tcbStatus", "UpToDate"}},
                                 {{"tcb", {{"isvsvn", 1}}},
                                  {"tcbDate", "2021-01-01T00:00:00Z"},
                                  {"tcbStatus", "OutOfDate"},
                                  {"advisoryIDs", json::array({"INTEL-SA-00003"})}}})},
  };
  return id.dump();
}

void PutLe(Bytes& b, size_t off, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

Bytes PublicXy(EVP_PKEY* key) {
  Bytes der = x509::PublicKeyToDer(key);  // SPKI; the point is its last 65 bytes (04 x y)
  return Bytes(der.end() - 64, der.end());
}

}  // namespace

Bytes FakeIntel::QeMrsigner() { return Bytes(32, 0xDC); }

Result<FakeIntel> FakeIntel::Create(const FakeIntelOptions& o) {
  FakeIntel f;
  f.options_ = o;
  FEDTEE_ASSIGN_OR_RETURN(f.root_key_, GenerateEcKey("P-256"));
  FEDTEE_ASSIGN_OR_RETURN(f.ca_key_, GenerateEcKey("P-256"));
  FEDTEE_ASSIGN_OR_RETURN(f.pck_key_, GenerateEcKey("P-256"));
  FEDTEE_ASSIGN_OR_RETURN(f.tcb_key_, GenerateEcKey("P-256"));
  FEDTEE_ASSIGN_OR_RETURN(f.att_key_, GenerateEcKey("P-256"));
  const auto ec = SigScheme::kEcdsaSha256;
  FEDTEE_ASSIGN_OR_RETURN(
      f.root_, ForgeCert(f.root_key_.get(), Spec("Intel SGX Root CA (fake)", o, true, 1), nullptr,
                         f.root_key_.get(), ec));
  FEDTEE_ASSIGN_OR_RETURN(
      f.ca_, ForgeCert(f.ca_key_.get(), Spec("Intel SGX PCK Platform CA (fake)", o, true, 2),
                       f.root_.get(), f.root_key_.get(), ec));
  ForgeSpec pck = Spec("Intel SGX PCK Certificate (fake)", o, false, 0x5151);
  pck.extensions.push_back({kSgx, SgxExtension(o)});
  FEDTEE_ASSIGN_OR_RETURN(f.pck_,
                          ForgeCert(f.pck_key_.get(), pck, f.ca_.get(), f.ca_key_.get(), ec));
  FEDTEE_ASSIGN_OR_RETURN(
      f.tcb_signer_, ForgeCert(f.tcb_key_.get(), Spec("Intel SGX TCB Signing (fake)", o, false, 3),
                               f.root_.get(), f.root_key_.get(), ec));
  f.root_der_ = x509::CertToDer(f.root_.get());
  f.pck_chain_pem_ =
      x509::CertToPem(f.pck_.get()) + x509::CertToPem(f.ca_.get()) + x509::CertToPem(f.root_.get());
  f.tcb_chain_pem_ = x509::CertToPem(f.tcb_signer_.get()) + x509::CertToPem(f.root_.get());
  FEDTEE_ASSIGN_OR_RETURN(CrlPtr root_crl, ForgeCrl(f.root_.get(), f.root_key_.get(),
                                                    o.collateral_issue, o.collateral_next, {}, ec));
  std::vector<uint64_t> revoked = {0x9999};
  if (o.revoke_pck) revoked.push_back(0x5151);
  FEDTEE_ASSIGN_OR_RETURN(CrlPtr pck_crl, ForgeCrl(f.ca_.get(), f.ca_key_.get(), o.collateral_issue,
                                                   o.collateral_next, revoked, ec));
  f.root_crl_ = CrlToDer(root_crl.get());
  f.pck_crl_ = CrlToDer(pck_crl.get());
  f.tcb_info_ = BuildTcbInfo(o);
  f.qe_identity_ = BuildQeIdentity(o);
  FEDTEE_ASSIGN_OR_RETURN(f.collateral_, f.CollateralWith(f.tcb_info_, f.qe_identity_));
  return f;
}

Result<std::string> FakeIntel::CollateralWith(const std::string& tcb_info,
                                              const std::string& qe_identity) const {
  FEDTEE_ASSIGN_OR_RETURN(Bytes tcb_sig,
                          RawEcdsaSign(tcb_key_.get(), EVP_sha256(), AsBytes(tcb_info), 32, false));
  FEDTEE_ASSIGN_OR_RETURN(
      Bytes qe_sig, RawEcdsaSign(tcb_key_.get(), EVP_sha256(), AsBytes(qe_identity), 32, false));
  json j = {
      {"pck_crl_issuer_chain", x509::CertToPem(ca_.get()) + x509::CertToPem(root_.get())},
      {"root_ca_crl", HexEncode(root_crl_)},
      {"pck_crl", HexEncode(pck_crl_)},
      {"tcb_info_issuer_chain", tcb_chain_pem_},
      {"tcb_info", tcb_info},
      {"tcb_info_signature", HexEncode(tcb_sig)},
      {"qe_identity_issuer_chain", tcb_chain_pem_},
      {"qe_identity", qe_identity},
      {"qe_identity_signature", HexEncode(qe_sig)},
  };
  return j.dump();
}

Result<Bytes> FakeIntel::MakeQuote(const attestation::ReportData& report_data,
                                   uint64_t td_attributes) const {
  Bytes q(48 + 584, 0);
  PutLe(q, 0, 4, 2);                                // version
  PutLe(q, 2, 2, 2);                                // ECDSA P-256
  PutLe(q, 4, 0x81, 4);                             // TDX
  std::fill(q.begin() + 12, q.begin() + 28, 0x93);  // QE vendor id
  const size_t b = 48;
  std::copy(options_.tee_tcb_svn.begin(), options_.tee_tcb_svn.end(), q.begin() + b);
  std::fill(q.begin() + b + 16, q.begin() + b + 64, 0x5B);  // MRSEAM
  PutLe(q, b + 120, td_attributes, 8);
  PutLe(q, b + 128, 0xE7, 8);                                 // XFAM
  std::fill(q.begin() + b + 136, q.begin() + b + 184, 0x91);  // MRTD
  for (int i = 0; i < 4; ++i)
    std::fill(q.begin() + b + 328 + 48 * i, q.begin() + b + 376 + 48 * i, 0x40 + i);
  std::copy(report_data.begin(), report_data.end(), q.begin() + b + 520);

  const Bytes att_xy = PublicXy(att_key_.get());
  const Bytes auth_data(32, 0xA0);
  Bytes qe(384, 0);
  qe[48] = 0x11;                                      // attributes: INIT | MODE64BIT
  std::fill(qe.begin() + 64, qe.begin() + 96, 0xEE);  // MRENCLAVE
  const Bytes mrsigner = QeMrsigner();
  std::copy(mrsigner.begin(), mrsigner.end(), qe.begin() + 128);
  PutLe(qe, 256, 2, 2);  // ISVPRODID
  PutLe(qe, 258, options_.qe_isvsvn, 2);
  Bytes bound = att_xy;
  Append(bound, auth_data);
  const Bytes hash = crypto::Sha256(bound);
  std::copy(hash.begin(), hash.end(), qe.begin() + 320);

  FEDTEE_ASSIGN_OR_RETURN(Bytes quote_sig,
                          RawEcdsaSign(att_key_.get(), EVP_sha256(), q, 32, false));
  FEDTEE_ASSIGN_OR_RETURN(Bytes qe_sig, RawEcdsaSign(pck_key_.get(), EVP_sha256(), qe, 32, false));
  Bytes inner;
  Bytes u16(2), u32(4);
  PutLe(u16, 0, 5, 2);
  Append(inner, u16);
  PutLe(u32, 0, pck_chain_pem_.size(), 4);
  Append(inner, u32);
  Append(inner, AsBytes(pck_chain_pem_));
  Bytes cert_body = qe;
  Append(cert_body, qe_sig);
  PutLe(u16, 0, auth_data.size(), 2);
  Append(cert_body, u16);
  Append(cert_body, auth_data);
  Append(cert_body, inner);
  Bytes sig_data = quote_sig;
  Append(sig_data, att_xy);
  PutLe(u16, 0, 6, 2);
  Append(sig_data, u16);
  PutLe(u32, 0, cert_body.size(), 4);
  Append(sig_data, u32);
  Append(sig_data, cert_body);
  PutLe(u32, 0, sig_data.size(), 4);
  Append(q, u32);
  Append(q, sig_data);
  return q;
}

}  // namespace fedtee::fakes
