#include "federation/receipt.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/signature.h"

namespace fedtee::federation {

Bytes SerializeReceipt(v1::Receipt receipt) {
  auto* entries = receipt.mutable_entries();
  std::sort(entries->begin(), entries->end(),
            [](const v1::ReceiptEntry& a, const v1::ReceiptEntry& b) {
              return a.participant_id() < b.participant_id();
            });
  std::string out;
  {
    google::protobuf::io::StringOutputStream sos(&out);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);  // map fields in key order
    receipt.SerializeToCodedStream(&cos);
  }
  return Bytes(out.begin(), out.end());
}

Result<v1::Receipt> ParseReceipt(ByteSpan bytes) {
  v1::Receipt r;
  if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Corruption("receipt.malformed", "receipt bytes do not parse");
  }
  return r;
}

Result<v1::Receipt> VerifyReceipt(ByteSpan receipt_bytes, ByteSpan signature,
                                  ByteSpan receipt_public_key) {
  Status s = crypto::VerifySignature(receipt_public_key, receipt_bytes, signature);
  if (!s.ok()) {
    return Status::Unauthenticated("receipt.bad_signature",
                                   "receipt signature does not verify under the attested "
                                   "aggregator key: " + s.message());
  }
  return ParseReceipt(receipt_bytes);
}

Status CheckReceiptIncludes(const v1::Receipt& receipt, const std::string& participant_id,
                            ByteSpan update_digest) {
  for (const auto& e : receipt.entries()) {
    if (e.participant_id() != participant_id) continue;
    if (crypto::ConstantTimeEqual(AsBytes(e.update_digest()), update_digest)) {
      return Status::Ok();
    }
    return Status::PermissionDenied(
        "receipt.update_missing",
        "round " + std::to_string(receipt.round()) + " lists " + participant_id +
            " with digest " + HexEncode(AsBytes(e.update_digest())) + ", but it sent " +
            HexEncode(update_digest));
  }
  return Status::PermissionDenied("receipt.update_missing",
                                  "round " + std::to_string(receipt.round()) +
                                      " receipt does not list " + participant_id);
}

}  // namespace fedtee::federation
