// Constants of the simulated platform's report (fedtee.v1.SimReport in
// proto/evidence.proto), shared by the sim attester and the sim verifier.
//
// NO HARDWARE PROTECTION: a sim "platform" is a key pair on disk. Anybody with the
// platform key can make any report. The sim backend exists only so that fedtee runs and is
// tested on machines without a TEE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fedtee::attestation::sim {

// The only SimReport.version this build produces and accepts.
inline constexpr uint32_t kSimReportVersion = 1;
// SimReport.notice, always this exact text.
inline constexpr std::string_view kSimNotice = "SIMULATED TEE: no hardware protection";
// SimReport.measurement length: SHA-384.
inline constexpr size_t kMeasurementSize = 48;

}  // namespace fedtee::attestation::sim
