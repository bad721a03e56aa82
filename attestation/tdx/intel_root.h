// The Intel SGX Root CA certificate that ships with fedtee as the pinned anchor for TDX
// (PCK chains, TCB info and QE identity signing chains, CRLs). Used when
// VerifyOptions::trusted_roots_der is empty. Thread-safety: immutable static data.
#pragma once

#include <string_view>

namespace fedtee::attestation::tdx {

// PEM text of CN=Intel SGX Root CA.
std::string_view IntelSgxRootCaPem();

}  // namespace fedtee::attestation::tdx
