// Byte buffers and hex encoding shared by every layer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fedtee {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

// Lower-case hex of `data`.
std::string HexEncode(ByteSpan data);
// Parses hex (either case, no prefix, no separators). INVALID_ARGUMENT "hex.invalid" on
// an odd length or a non-hex character.
Result<Bytes> HexDecode(std::string_view hex);

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(ByteSpan b) { return std::string(b.begin(), b.end()); }

// Appends big-endian integers; used by framing code that defines its byte layout in docs/.
void AppendU32BE(Bytes& out, uint32_t v);
void AppendU64BE(Bytes& out, uint64_t v);
inline void Append(Bytes& out, ByteSpan b) { out.insert(out.end(), b.begin(), b.end()); }

}  // namespace fedtee
