// The SEV-SNP verify step: report structure (snp_report.h), the VCEK -> ASK -> ARK chain to
// a pinned AMD root, the report signature by the VCEK, and the VCEK's TCB and hardware-id
// extensions against the report. Composed by Verify() (verify.cc) through
// platform_verifiers.h.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "attestation/errors.h"
#include "attestation/platform_verifiers.h"
#include "attestation/snp/amd_roots.h"
#include "attestation/snp/cert_table.h"
#include "attestation/snp/snp_report.h"
#include "attestation/snp/vcek.h"
#include "attestation/x509.h"

namespace fedtee::attestation {
namespace {

using snp::SnpProduct;
using snp::SnpReport;

struct SnpChain {
  x509::CertPtr vcek;
  std::vector<x509::CertPtr> intermediates;
  std::vector<x509::CertPtr> roots;
};

Status AddAll(ByteSpan pem_or_der, std::vector<x509::CertPtr>& out, const char* what) {
  auto certs = x509::ParseCertificates(pem_or_der);
  if (!certs.ok()) return certs.status().Wrap(what);
  for (auto& c : *certs) out.push_back(std::move(c));
  return Status::Ok();
}

// Finds the VCEK and the candidate intermediates and roots, in this order of preference:
// the auxblob certificate table, Evidence.certificates (leaf first), the operator's extra
// certificates, and the ASKs that ship with fedtee.
Result<SnpChain> GatherChain(const Evidence& evidence, const VerifyOptions& options) {
  SnpChain chain;
  FEDTEE_ASSIGN_OR_RETURN(auto table, snp::ParseCertTable(evidence.aux));
  std::vector<x509::CertPtr> candidates;
  if (auto vcek = snp::FindCert(table, snp::kVcekGuid)) {
    FEDTEE_ASSIGN_OR_RETURN(chain.vcek, x509::ParseCertificate(*vcek));
  }
  for (const auto& guid : {snp::kAskGuid, snp::kArkGuid}) {
    if (auto der = snp::FindCert(table, guid)) {
      FEDTEE_RETURN_IF_ERROR(AddAll(*der, candidates, "certificate table"));
    }
  }
  for (const Bytes& der : evidence.certificates) {
    FEDTEE_RETURN_IF_ERROR(AddAll(der, candidates, "evidence certificates"));
  }
  for (const Bytes& der : options.extra_certs_der) {
    FEDTEE_RETURN_IF_ERROR(AddAll(der, candidates, "operator certificates"));
  }
  if (!chain.vcek) {
    // The first VCEK-shaped certificate, evidence before operator's (both leaf first).
    auto it = std::find_if(candidates.begin(), candidates.end(),
                           [](const x509::CertPtr& c) { return snp::IsVcekShaped(c.get()); });
    if (it == candidates.end()) {
      return Status::NotFound(errors::kMissingCertificate,
                              "no VCEK: not in the auxblob certificate table, the evidence, "
                              "nor the certificates given (--certs)");
    }
    chain.vcek = *it;
    candidates.erase(it);
  }
  chain.intermediates = std::move(candidates);
  for (const auto& product : snp::BuiltinAmdRoots()) {
    FEDTEE_RETURN_IF_ERROR(AddAll(AsBytes(product.ask_pem), chain.intermediates, "built-in ASK"));
  }
  if (options.trusted_roots_der.empty()) {
    for (const auto& product : snp::BuiltinAmdRoots()) {
      FEDTEE_RETURN_IF_ERROR(AddAll(AsBytes(product.ark_pem), chain.roots, "built-in ARK"));
    }
  } else {
    for (const Bytes& der : options.trusted_roots_der) {
      FEDTEE_RETURN_IF_ERROR(AddAll(der, chain.roots, "trusted roots"));
    }
  }
  return chain;
}

// ECDSA-Sig-Value DER from AMD's little-endian r and s.
Result<Bytes> AmdSignatureToDer(const SnpReport& report) {
  Bytes r(report.signature_r.rbegin(), report.signature_r.rend());
  Bytes s(report.signature_s.rbegin(), report.signature_s.rend());
  return x509::EcdsaSignatureToDer(r, s);
}

Status VerifyReportSignature(const SnpReport& report, ByteSpan raw, const X509* vcek) {
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr key, x509::PublicKey(vcek));
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC || EVP_PKEY_get_bits(key.get()) != 384) {
    return Status::Corruption(errors::kMalformedCertificate,
                              "VCEK key is not ECDSA P-384 (" + x509::SubjectName(vcek) + ")");
  }
  FEDTEE_ASSIGN_OR_RETURN(Bytes der, AmdSignatureToDer(report));
  Status s = x509::VerifySignature(key.get(), EVP_sha384(), raw.first(snp::kSignedSize), der);
  if (!s.ok()) {
    return Status::Unauthenticated(errors::kBadSignature,
                                   "SEV-SNP report signature does not verify under the VCEK");
  }
  return Status::Ok();
}

std::string TcbString(const SnpTcb& t, SnpProduct product) {
  std::string s = "bl=" + std::to_string(t.bootloader) + " tee=" + std::to_string(t.tee) +
                  " snp=" + std::to_string(t.snp) + " ucode=" + std::to_string(t.microcode);
  if (product == SnpProduct::kTurin) s += " fmc=" + std::to_string(t.fmc);
  return s;
}

Status CheckVcekMatchesReport(const snp::VcekInfo& vcek, const SnpReport& report) {
  const SnpProduct product = *vcek.product;
  const SnpTcb reported = snp::DecodeTcb(report.reported_tcb, product);
  const SnpTcb& cert = vcek.tcb;
  if (reported.bootloader != cert.bootloader || reported.tee != cert.tee ||
      reported.snp != cert.snp || reported.microcode != cert.microcode ||
      (product == SnpProduct::kTurin && reported.fmc != cert.fmc)) {
    return Status::Unauthenticated(errors::kTcbMismatch,
                                   "REPORTED_TCB (" + TcbString(reported, product) +
                                       ") is not the TCB the VCEK endorses (" +
                                       TcbString(cert, product) + ")");
  }
  if (report.mask_chip_key()) return Status::Ok();  // CHIP_ID masked by the host: zeros
  const bool match = std::equal(vcek.hw_id.begin(), vcek.hw_id.end(), report.chip_id.begin()) &&
                     std::all_of(report.chip_id.begin() + vcek.hw_id.size(), report.chip_id.end(),
                                 [](uint8_t b) { return b == 0; });
  if (!match) {
    return Status::Unauthenticated(errors::kChipIdMismatch, "CHIP_ID " + HexEncode(report.chip_id) +
                                                                " is not the VCEK's hwID " +
                                                                HexEncode(vcek.hw_id));
  }
  return Status::Ok();
}

SnpClaims MakeSnpClaims(const SnpReport& r, SnpProduct product) {
  SnpClaims c;
  c.version = r.version;
  c.guest_policy = r.policy;
  c.vmpl = r.vmpl;
  c.signature_algo = r.signature_algo;
  c.current_tcb = snp::DecodeTcb(r.current_tcb, product);
  c.reported_tcb = snp::DecodeTcb(r.reported_tcb, product);
  c.committed_tcb = snp::DecodeTcb(r.committed_tcb, product);
  c.launch_tcb = snp::DecodeTcb(r.launch_tcb, product);
  c.family_id = r.family_id;
  c.image_id = r.image_id;
  c.host_data = r.host_data;
  c.id_key_digest = r.id_key_digest;
  c.author_key_digest = r.author_key_digest;
  c.report_id = r.report_id;
  c.chip_id = r.chip_id;
  c.platform_info = static_cast<uint32_t>(r.platform_info);
  c.product = std::string(snp::SnpProductName(product));
  return c;
}

}  // namespace

Result<Claims> VerifySnp(const Evidence& evidence, const VerifyOptions& options) {
  FEDTEE_ASSIGN_OR_RETURN(SnpReport report, snp::ParseSnpReport(evidence.report));
  if (report.signing_key() != snp::kSigningKeyVcek) {
    return Status::Corruption(errors::kUnsupportedVersion,
                              report.signing_key() == snp::kSigningKeyVlek
                                  ? "SEV-SNP report signed by a VLEK (fedtee verifies VCEK-signed "
                                    "reports only)"
                                  : "SEV-SNP report is not signed by a VCEK");
  }
  FEDTEE_ASSIGN_OR_RETURN(SnpChain chain, GatherChain(evidence, options));
  FEDTEE_RETURN_IF_ERROR(
      x509::VerifyChain(chain.vcek, chain.intermediates, chain.roots, options.clock->NowUnix())
          .Wrap("VCEK chain"));
  FEDTEE_RETURN_IF_ERROR(VerifyReportSignature(report, evidence.report, chain.vcek.get()));
  FEDTEE_ASSIGN_OR_RETURN(snp::VcekInfo vcek, snp::ReadVcekInfo(chain.vcek.get()));
  FEDTEE_RETURN_IF_ERROR(CheckVcekMatchesReport(vcek, report));

  Claims claims;
  claims.platform = Platform::kSevSnp;
  claims.hardware_backed = true;
  claims.measurement = report.measurement;
  std::copy(report.report_data.begin(), report.report_data.end(), claims.report_data.begin());
  claims.debug = report.debug_allowed();
  claims.snp = MakeSnpClaims(report, *vcek.product);
  return claims;
}

}  // namespace fedtee::attestation
