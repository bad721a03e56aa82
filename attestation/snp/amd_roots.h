// The AMD certificates that ship with fedtee as pinned trust anchors: for each SEV-SNP
// product line (Milan, Genoa, Turin) its ARK (self-signed root, the anchor) and ASK (the
// intermediate that signs VCEKs), as PEM text compiled into the library. Used by the SNP
// verifier when VerifyOptions::trusted_roots_der is empty; the ASKs are always offered as
// intermediates so that evidence carrying only a VCEK verifies.
//
// Thread-safety: immutable static data.
#pragma once

#include <span>
#include <string_view>

#include "attestation/snp/snp_report.h"

namespace fedtee::attestation::snp {

struct AmdProductRoots {
  SnpProduct product;
  std::string_view name;     // "Milan", "Genoa", "Turin"
  std::string_view ask_pem;  // CN=SEV-<name>
  std::string_view ark_pem;  // CN=ARK-<name>
};

// The pinned roots, one entry per product line.
std::span<const AmdProductRoots> BuiltinAmdRoots();

}  // namespace fedtee::attestation::snp
