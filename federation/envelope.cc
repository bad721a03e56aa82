#include "federation/envelope.h"

namespace fedtee::federation {

Bytes Encode(v1::Envelope env) {
  env.set_protocol_major(kProtocolMajor);
  env.set_protocol_minor(kProtocolMinor);
  Bytes out(env.ByteSizeLong());
  env.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

Result<v1::Envelope> Decode(ByteSpan frame) {
  v1::Envelope env;
  if (frame.size() > static_cast<size_t>(INT32_MAX) ||
      !env.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    return Status::Corruption("protocol.malformed",
                              "frame of " + std::to_string(frame.size()) +
                                  " bytes is not a fedtee.v1.Envelope");
  }
  if (env.protocol_major() != kProtocolMajor) {
    return Status::OutOfRange("protocol.version",
                              "peer speaks protocol " + std::to_string(env.protocol_major()) +
                                  "." + std::to_string(env.protocol_minor()) +
                                  ", this build speaks " + std::to_string(kProtocolMajor) + "." +
                                  std::to_string(kProtocolMinor));
  }
  if (env.body_case() == v1::Envelope::BODY_NOT_SET) {
    return Status::Corruption("protocol.malformed", "envelope carries no known message type");
  }
  return env;
}

Bytes EncodeError(const std::string& code, const std::string& message) {
  v1::Envelope env;
  env.mutable_error()->set_code(code);
  env.mutable_error()->set_message(message);
  return Encode(std::move(env));
}

std::string BodyName(const v1::Envelope& env) {
  const auto* field = v1::Envelope::descriptor()->FindFieldByNumber(env.body_case());
  return field ? field->name() : "none";
}

}  // namespace fedtee::federation
