#include "attestation/binding.h"

#include <algorithm>
#include <cstdint>

#include "crypto/digest.h"

namespace fedtee::attestation {
namespace {

void AppendField(Bytes& out, ByteSpan field) {
  AppendU32BE(out, static_cast<uint32_t>(field.size()));
  Append(out, field);
}

}  // namespace

ReportData BindReportData(ByteSpan hpke_public_key, ByteSpan curve_server_public_key,
                          ByteSpan receipt_signing_public_key, ByteSpan challenge) {
  Bytes message;
  Append(message, AsBytes(kReportDataTag));
  AppendField(message, hpke_public_key);
  AppendField(message, curve_server_public_key);
  AppendField(message, receipt_signing_public_key);
  AppendField(message, challenge);
  Bytes digest = crypto::Sha512(message);
  ReportData out{};
  std::copy_n(digest.begin(), out.size(), out.begin());
  return out;
}

}  // namespace fedtee::attestation
