// The TDX verify step: quote structure (tdx_quote.h); collateral (tdx_collateral.h) whose
// TCB info and QE identity are signed by a chain to the pinned Intel SGX Root CA and are
// inside their issueDate..nextUpdate window; the PCK chain to the same root with the root
// CA and PCK CRLs; the QE report signed by the PCK leaf; the QE report binding the
// attestation key; the quote signed by the attestation key; FMSPC/PCE-ID of the PCK
// certificate matching the TCB info; and the TCB status by Intel's rules (tcb_status.h).
// Composed by Verify() (verify.cc) through platform_verifiers.h.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <string>
#include <vector>

#include "attestation/errors.h"
#include "attestation/platform_verifiers.h"
#include "attestation/tdx/intel_root.h"
#include "attestation/tdx/pck_extensions.h"
#include "attestation/tdx/tcb_info.h"
#include "attestation/tdx/tcb_status.h"
#include "attestation/tdx/tdx_collateral.h"
#include "attestation/tdx/tdx_quote.h"
#include "attestation/x509.h"
#include "crypto/digest.h"

namespace fedtee::attestation {
namespace {

using tdx::TdxQuote;

// ECDSA-Sig-Value DER from a 64-byte big-endian r || s.
Result<Bytes> RawSignatureToDer(ByteSpan rs) {
  if (rs.size() != 64) {
    return Status::Unauthenticated(errors::kBadSignature, "ECDSA signature is not 64 bytes");
  }
  return x509::EcdsaSignatureToDer(rs.subspan(0, 32), rs.subspan(32, 32));
}

// OK when `rs` (r || s) is an ECDSA-SHA256 signature of `data` by `key`; else `reason`.
Status VerifyRaw(EVP_PKEY* key, ByteSpan data, ByteSpan rs, const char* reason,
                 const std::string& what) {
  auto der = RawSignatureToDer(rs);
  if (der.ok() && x509::VerifySignature(key, EVP_sha256(), data, *der).ok()) return Status::Ok();
  return Status::Unauthenticated(reason, what + " does not verify");
}

// The P-256 public key x || y of the quote's attestation key.
Result<x509::KeyPtr> AttestationKey(ByteSpan xy) {
  Bytes point = {0x04};
  Append(point, xy);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  bool ok =
      bld && ctx &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY_CTX_free(ctx);
  if (!ok) {
    EVP_PKEY_free(key);
    return Status::Unauthenticated(errors::kBadSignature,
                                   "TDX attestation key is not a P-256 point");
  }
  return x509::AdoptKey(key);
}

struct Trust {
  std::vector<x509::CertPtr> roots;
  std::vector<x509::CrlPtr> crls;
  int64_t now = 0;
};

Result<Trust> LoadTrust(const tdx::TdxCollateral& c, const VerifyOptions& options) {
  Trust t;
  t.now = options.clock->NowUnix();
  if (options.trusted_roots_der.empty()) {
    FEDTEE_ASSIGN_OR_RETURN(t.roots, x509::ParseCertificates(AsBytes(tdx::IntelSgxRootCaPem())));
  } else {
    for (const Bytes& der : options.trusted_roots_der) {
      FEDTEE_ASSIGN_OR_RETURN(auto certs, x509::ParseCertificates(der));
      t.roots.insert(t.roots.end(), certs.begin(), certs.end());
    }
  }
  for (const Bytes* crl : {&c.root_ca_crl, &c.pck_crl}) {
    auto parsed = x509::ParseCrls(*crl);
    if (!parsed.ok()) {
      return Status::Unauthenticated(errors::kCollateralInvalid,
                                     "TDX collateral: a CRL does not parse");
    }
    t.crls.insert(t.crls.end(), parsed->begin(), parsed->end());
  }
  return t;
}

// A collateral document: its issuer chain verifies to the root at `now` (with CRLs), and
// its signature by the chain's leaf verifies. Returns nothing else: parse after this.
Status VerifySignedDocument(const std::string& issuer_chain, const std::string& document,
                            ByteSpan signature, const Trust& trust, const std::string& name) {
  auto chain = x509::ParseCertificates(AsBytes(issuer_chain));
  if (!chain.ok()) return chain.status().Wrap(name + " issuer chain");
  std::vector<x509::CertPtr> rest(chain->begin() + 1, chain->end());
  FEDTEE_RETURN_IF_ERROR(x509::VerifyChain(chain->front(), rest, trust.roots, trust.now, trust.crls)
                             .Wrap(name + " issuer chain"));
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr key, x509::PublicKey(chain->front().get()));
  return VerifyRaw(key.get(), AsBytes(document), signature, errors::kCollateralInvalid,
                   "TDX " + name + " signature");
}

Status CheckWindow(int64_t issue, int64_t next, int64_t now, const std::string& name) {
  if (now < issue || now > next) {
    return Status::Unauthenticated(errors::kCollateralExpired,
                                   "TDX " + name + " is valid from " + FormatRfc3339(issue) +
                                       " to " + FormatRfc3339(next) + ", not at " +
                                       FormatRfc3339(now));
  }
  return Status::Ok();
}

Status CollateralInvalid(const std::string& what) {
  return Status::Unauthenticated(errors::kCollateralInvalid, "TDX collateral: " + what);
}

TdxClaims MakeTdxClaims(const TdxQuote& q, const tdx::PckInfo& pck, tdx::TcbVerdict verdict) {
  const tdx::TdReport& r = q.report;
  TdxClaims c;
  c.quote_version = q.version;
  c.tee_tcb_svn = r.tee_tcb_svn;
  c.mrseam = r.mrseam;
  c.mrtd = r.mrtd;
  for (int i = 0; i < 4; ++i) c.rtmr[i] = r.rtmr[i];
  c.mrconfigid = r.mrconfigid;
  c.mrowner = r.mrowner;
  c.mrownerconfig = r.mrownerconfig;
  c.td_attributes = r.td_attributes;
  c.xfam = r.xfam;
  c.fmspc = pck.fmspc;
  c.tcb_status = std::move(verdict.status);
  c.advisory_ids = std::move(verdict.advisory_ids);
  return c;
}

}  // namespace

Result<Claims> VerifyTdx(const Evidence& evidence, const VerifyOptions& options) {
  FEDTEE_ASSIGN_OR_RETURN(TdxQuote quote, tdx::ParseTdxQuote(evidence.report));

  const Bytes& raw_collateral =
      evidence.collateral.empty() ? options.collateral : evidence.collateral;
  if (raw_collateral.empty()) {
    return Status::NotFound(errors::kMissingCollateral,
                            "no TDX collateral (TCB info, QE identity, CRLs): give --collateral");
  }
  FEDTEE_ASSIGN_OR_RETURN(tdx::TdxCollateral collateral, tdx::ParseCollateral(raw_collateral));
  FEDTEE_ASSIGN_OR_RETURN(Trust trust, LoadTrust(collateral, options));

  // Collateral: signed by Intel, current.
  FEDTEE_RETURN_IF_ERROR(VerifySignedDocument(collateral.tcb_info_issuer_chain, collateral.tcb_info,
                                              collateral.tcb_info_signature, trust, "TCB info"));
  FEDTEE_ASSIGN_OR_RETURN(tdx::TcbInfo tcb_info, tdx::ParseTcbInfo(collateral.tcb_info));
  if (tcb_info.id != "TDX" || tcb_info.version < 3) {
    return CollateralInvalid("TCB info is not TDX TCB info version 3 (id " + tcb_info.id + ")");
  }
  FEDTEE_RETURN_IF_ERROR(
      CheckWindow(tcb_info.issue_date, tcb_info.next_update, trust.now, "TCB info"));
  FEDTEE_RETURN_IF_ERROR(
      VerifySignedDocument(collateral.qe_identity_issuer_chain, collateral.qe_identity,
                           collateral.qe_identity_signature, trust, "QE identity"));
  FEDTEE_ASSIGN_OR_RETURN(tdx::QeIdentity qe_identity,
                          tdx::ParseQeIdentity(collateral.qe_identity));
  if (qe_identity.id != "TD_QE") {
    return CollateralInvalid("QE identity is not the TD quoting enclave's (id " + qe_identity.id +
                             ")");
  }
  FEDTEE_RETURN_IF_ERROR(
      CheckWindow(qe_identity.issue_date, qe_identity.next_update, trust.now, "QE identity"));

  // PCK chain, with revocation.
  FEDTEE_ASSIGN_OR_RETURN(auto pck_chain, x509::ParseCertificates(AsBytes(quote.pck_chain_pem)));
  std::vector<x509::CertPtr> pck_rest(pck_chain.begin() + 1, pck_chain.end());
  FEDTEE_RETURN_IF_ERROR(
      x509::VerifyChain(pck_chain.front(), pck_rest, trust.roots, trust.now, trust.crls)
          .Wrap("PCK chain"));
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr pck_key, x509::PublicKey(pck_chain.front().get()));

  // The quoting enclave's report, then the attestation key it vouches for, then the quote.
  FEDTEE_RETURN_IF_ERROR(VerifyRaw(pck_key.get(), quote.qe_report_raw, quote.qe_report_signature,
                                   errors::kBadSignature, "TDX QE report signature (PCK key)"));
  Bytes bound = quote.attestation_key;
  Append(bound, quote.qe_auth_data);
  const Bytes expected = crypto::Sha256(bound);
  const Bytes& qe_data = quote.qe_report.report_data;
  if (!std::equal(expected.begin(), expected.end(), qe_data.begin()) ||
      !std::all_of(qe_data.begin() + 32, qe_data.end(), [](uint8_t b) { return b == 0; })) {
    return Status::Unauthenticated(
        errors::kBadSignature,
        "TDX QE report data is not SHA-256(attestation key || QE authentication data)");
  }
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr att_key, AttestationKey(quote.attestation_key));
  FEDTEE_RETURN_IF_ERROR(VerifyRaw(att_key.get(), quote.signed_bytes, quote.signature,
                                   errors::kBadSignature, "TDX quote signature (attestation key)"));

  // The platform the PCK certificate names must be the one the TCB info describes.
  FEDTEE_ASSIGN_OR_RETURN(tdx::PckInfo pck, tdx::ReadPckInfo(pck_chain.front().get()));
  if (pck.fmspc != tcb_info.fmspc) {
    return Status::Unauthenticated(errors::kFmspcMismatch,
                                   "PCK certificate FMSPC " + HexEncode(pck.fmspc) +
                                       " is not the TCB info's " + HexEncode(tcb_info.fmspc));
  }
  if (pck.pce_id != tcb_info.pce_id) {
    return Status::Unauthenticated(errors::kFmspcMismatch,
                                   "PCK certificate PCE-ID " + HexEncode(pck.pce_id) +
                                       " is not the TCB info's " + HexEncode(tcb_info.pce_id));
  }
  FEDTEE_ASSIGN_OR_RETURN(tdx::TcbVerdict qe_verdict, tdx::QeStatus(qe_identity, quote.qe_report));
  FEDTEE_ASSIGN_OR_RETURN(tdx::TcbVerdict verdict,
                          tdx::EvaluateTdxTcb(tcb_info, pck, quote.report, qe_verdict));

  Claims claims;
  claims.platform = Platform::kTdx;
  claims.hardware_backed = true;
  claims.measurement = quote.report.mrtd;
  std::copy(quote.report.report_data.begin(), quote.report.report_data.end(),
            claims.report_data.begin());
  claims.debug = (quote.report.td_attributes & 1) != 0;
  claims.tdx = MakeTdxClaims(quote, pck, std::move(verdict));
  return claims;
}

}  // namespace fedtee::attestation
