#include "attestation/snp/cert_table.h"

#include <algorithm>
#include <string>

#include "attestation/errors.h"

namespace fedtee::attestation::snp {
namespace {

constexpr size_t kEntrySize = 24;

uint32_t U32(ByteSpan b, size_t off) {
  return uint32_t{b[off]} | uint32_t{b[off + 1]} << 8 | uint32_t{b[off + 2]} << 16 |
         uint32_t{b[off + 3]} << 24;
}

void PutU32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// The same GUID with its first three fields byte-swapped (EFI_GUID memory layout).
Guid EfiLayout(const Guid& g) {
  Guid e = g;
  std::reverse(e.begin(), e.begin() + 4);
  std::reverse(e.begin() + 4, e.begin() + 6);
  std::reverse(e.begin() + 6, e.begin() + 8);
  return e;
}

Status Malformed(const std::string& what) {
  return Status::Corruption(errors::kMalformedEvidence, "SEV-SNP certificate table: " + what);
}

}  // namespace

Result<std::vector<CertTableEntry>> ParseCertTable(ByteSpan aux) {
  std::vector<CertTableEntry> entries;
  if (aux.empty()) return entries;
  struct Header {
    Guid guid;
    uint32_t offset, length;
  };
  std::vector<Header> headers;
  size_t pos = 0;
  for (;;) {
    if (pos + kEntrySize > aux.size()) return Malformed("no all-zero terminating entry");
    Header h{};
    std::copy_n(aux.begin() + pos, 16, h.guid.begin());
    h.offset = U32(aux, pos + 16);
    h.length = U32(aux, pos + 20);
    pos += kEntrySize;
    if (h.offset == 0 && h.length == 0 && h.guid == Guid{}) break;
    headers.push_back(h);
  }
  for (size_t i = 0; i < headers.size(); ++i) {
    const Header& h = headers[i];
    if (h.offset < pos || uint64_t{h.offset} + h.length > aux.size()) {
      return Malformed("entry " + std::to_string(i) + " points outside the certificate data");
    }
    entries.push_back({h.guid, Bytes(aux.begin() + h.offset, aux.begin() + h.offset + h.length)});
  }
  return entries;
}

Bytes BuildCertTable(const std::vector<CertTableEntry>& entries) {
  Bytes out;
  if (entries.empty()) return out;
  uint32_t cursor = static_cast<uint32_t>((entries.size() + 1) * kEntrySize);
  for (const auto& e : entries) {
    Append(out, e.guid);
    PutU32(out, cursor);
    PutU32(out, static_cast<uint32_t>(e.data.size()));
    cursor += static_cast<uint32_t>(e.data.size());
  }
  out.resize(out.size() + kEntrySize, 0);
  for (const auto& e : entries) Append(out, e.data);
  return out;
}

std::optional<Bytes> FindCert(const std::vector<CertTableEntry>& entries, const Guid& guid) {
  const Guid efi = EfiLayout(guid);
  for (const auto& e : entries) {
    if (e.guid == guid || e.guid == efi) return e.data;
  }
  return std::nullopt;
}

}  // namespace fedtee::attestation::snp
