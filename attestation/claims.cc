#include "attestation/claims.h"

#include <string>

#include "attestation/errors.h"

namespace fedtee::attestation {

std::string_view PlatformName(Platform p) {
  switch (p) {
    case Platform::kSim: return "sim";
    case Platform::kSevSnp: return "sev-snp";
    case Platform::kTdx: return "tdx";
  }
  return "unknown";
}

Result<Platform> ParsePlatform(std::string_view name) {
  for (Platform p : {Platform::kSim, Platform::kSevSnp, Platform::kTdx}) {
    if (name == PlatformName(p)) return p;
  }
  return Status::InvalidArgument(errors::kUnknownBackend,
                                 "unknown attestation platform '" + std::string(name) +
                                     "' (known: sim, sev-snp, tdx)");
}

}  // namespace fedtee::attestation
