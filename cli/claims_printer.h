// Prints verified claims the way a reviewer reads them: platform, measurement, TCB, debug,
// report data, and the platform's own fields.
#pragma once

#include <ostream>

#include "attestation/claims.h"

namespace fedtee::cli {

void PrintClaims(std::ostream& out, const attestation::Claims& claims);

}  // namespace fedtee::cli
