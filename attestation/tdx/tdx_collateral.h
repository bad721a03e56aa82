// TDX quote collateral as fedtee carries it (Evidence.collateral / VerifyOptions::collateral):
// the JSON object that Intel PCS / PCCS responses are bundled into by Phala's dcap-qvl
// ("QuoteCollateralV3"):
//   pck_crl_issuer_chain      PEM   chain of the PCK CRL issuer (unused: the CRL is checked
//                                   against the PCK chain's own issuer)
//   root_ca_crl               hex   DER CRL of the Intel SGX Root CA
//   pck_crl                   hex   DER CRL of the PCK Platform/Processor CA
//   tcb_info_issuer_chain     PEM   TCB signing certificate, then the root
//   tcb_info                  text  the signed TCB info JSON, byte for byte as signed
//   tcb_info_signature        hex   ECDSA P-256 r||s over tcb_info
//   qe_identity_issuer_chain  PEM
//   qe_identity               text  the signed QE identity JSON
//   qe_identity_signature     hex   ECDSA P-256 r||s over qe_identity
// CRL fields may also be PEM. Thread-safety: pure functions over values.
#pragma once

#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::tdx {

struct TdxCollateral {
  std::string pck_crl_issuer_chain;
  Bytes root_ca_crl;  // DER (or PEM)
  Bytes pck_crl;      // DER (or PEM)
  std::string tcb_info_issuer_chain;
  std::string tcb_info;
  Bytes tcb_info_signature;  // 64 bytes
  std::string qe_identity_issuer_chain;
  std::string qe_identity;
  Bytes qe_identity_signature;  // 64 bytes
};

// Parses the JSON above. UNAUTHENTICATED attestation.collateral_invalid when it is not
// JSON, a field is missing or not a string, or a hex field does not decode.
Result<TdxCollateral> ParseCollateral(ByteSpan json);
// The JSON form (CRLs and signatures hex-encoded); used by fakes and tools.
std::string SerializeCollateral(const TdxCollateral& c);

}  // namespace fedtee::attestation::tdx
