// The SEV-SNP certificate table (GHCB specification, "SNP Extended Guest Request"): what
// configfs-tsm returns in `auxblob` for provider sev_guest. A run of 24-byte entries
// (16-byte GUID, u32 offset, u32 length, little-endian; offsets count from the start of the
// table) ended by an all-zero entry, followed by the certificates (DER) it points to.
//
// Thread-safety: pure functions over values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::snp {

// A GUID in RFC 4122 byte order ("63da758d-..." is 63 da 75 8d ...).
using Guid = std::array<uint8_t, 16>;

inline constexpr Guid kVcekGuid = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
inline constexpr Guid kVlekGuid = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                                   0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
inline constexpr Guid kAskGuid = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                  0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
inline constexpr Guid kArkGuid = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                  0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

struct CertTableEntry {
  Guid guid{};
  Bytes data;  // the certificate, normally DER
};

// Parses a certificate table. An empty input is an empty table. CORRUPTION
// attestation.malformed_evidence when the table is not terminated or an entry points
// outside the blob or into the table itself.
Result<std::vector<CertTableEntry>> ParseCertTable(ByteSpan aux);

// Serializes entries as a table followed by their data (for attesters in tests and fakes).
Bytes BuildCertTable(const std::vector<CertTableEntry>& entries);

// The data of the first entry with `guid`. Also accepts the GUID written in the
// mixed-endian EFI layout, which some hypervisors emit.
std::optional<Bytes> FindCert(const std::vector<CertTableEntry>& entries, const Guid& guid);

}  // namespace fedtee::attestation::snp
