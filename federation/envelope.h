// Encoding and decoding of fedtee.v1.Envelope frames (docs/protocol.md), with the protocol
// version check. Shared by the coordinator, the aggregator and the participant.
// All functions are thread-safe.
#pragma once

#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "proto/federation.pb.h"

namespace fedtee::federation {

inline constexpr uint32_t kProtocolMajor = 1;
inline constexpr uint32_t kProtocolMinor = 0;

// Serializes `env` after stamping the protocol version.
Bytes Encode(v1::Envelope env);

// Parses one frame. CORRUPTION "protocol.malformed" for bytes that are not an Envelope or
// carry no body; OUT_OF_RANGE "protocol.version" for another major version.
Result<v1::Envelope> Decode(ByteSpan frame);

// An Envelope carrying Error{code, message}.
Bytes EncodeError(const std::string& code, const std::string& message);
inline Bytes EncodeError(const Status& s) { return EncodeError(s.reason(), s.message()); }

// The body's name for logs ("round_task", "update_chunk", ...).
std::string BodyName(const v1::Envelope& env);

}  // namespace fedtee::federation
