// Evidence binding: the 64-byte REPORT_DATA an aggregator asks its TEE to sign, so that the
// evidence vouches for the keys the aggregator is about to use and for the relying party's
// fresh challenge. The relying party recomputes it from the keys it was handed and its own
// challenge, and validate.h compares (policy.report_data_mismatch otherwise).
//
// Byte layout (docs/attestation.md, "Report data binding"):
//   REPORT_DATA = SHA-512( "fedtee/v1/report-data"
//                          || u32be(len(hpke_public_key))            || hpke_public_key
//                          || u32be(len(curve_server_public_key))    || curve_server_public_key
//                          || u32be(len(receipt_signing_public_key)) || receipt_signing_public_key
//                          || u32be(len(challenge))                  || challenge )
// The tag is the 21 ASCII bytes without a terminator or length prefix. Every field is
// length-prefixed, so no two different inputs share one encoding.
//
// Pure function, thread-safe.
#pragma once

#include <string_view>

#include "attestation/claims.h"
#include "base/bytes.h"

namespace fedtee::attestation {

inline constexpr std::string_view kReportDataTag = "fedtee/v1/report-data";

ReportData BindReportData(ByteSpan hpke_public_key, ByteSpan curve_server_public_key,
                          ByteSpan receipt_signing_public_key, ByteSpan challenge);

}  // namespace fedtee::attestation
