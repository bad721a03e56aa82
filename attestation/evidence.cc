#include "attestation/evidence.h"

#include <string>

#include "attestation/errors.h"
#include "proto/evidence.pb.h"

namespace fedtee::attestation {

Bytes SerializeEvidence(const Evidence& e) {
  fedtee::v1::Evidence pb;
  pb.set_platform(std::string(PlatformName(e.platform)));
  pb.set_report(ToString(e.report));
  pb.set_signature(ToString(e.signature));
  for (const Bytes& cert : e.certificates) pb.add_certificates(ToString(cert));
  pb.set_aux(ToString(e.aux));
  pb.set_collateral(ToString(e.collateral));
  return ToBytes(pb.SerializeAsString());
}

Result<Evidence> ParseEvidence(ByteSpan bytes) {
  fedtee::v1::Evidence pb;
  if (bytes.empty() || !pb.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Corruption(errors::kMalformedEvidence,
                              "the evidence is not a fedtee.v1.Evidence message (" +
                                  std::to_string(bytes.size()) + " bytes)");
  }
  if (pb.platform().empty()) {
    return Status::Corruption(errors::kMalformedEvidence, "the evidence names no platform");
  }
  FEDTEE_ASSIGN_OR_RETURN(Platform platform, ParsePlatform(pb.platform()));
  Evidence e;
  e.platform = platform;
  e.report = ToBytes(pb.report());
  e.signature = ToBytes(pb.signature());
  for (const std::string& cert : pb.certificates()) e.certificates.push_back(ToBytes(cert));
  e.aux = ToBytes(pb.aux());
  e.collateral = ToBytes(pb.collateral());
  return e;
}

}  // namespace fedtee::attestation
