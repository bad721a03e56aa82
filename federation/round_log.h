// The coordinator's hash-chained round log (round_log.jsonl, docs/protocol.md). Each line is
// one committed round; head = SHA-256(prev_head || SHA-256(receipt) || signature).
// Not thread-safe: one writer (the coordinator).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::federation {

inline constexpr char kGenesisHead[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct RoundLogEntry {
  uint64_t round = 0;
  Bytes receipt;             // serialized fedtee.v1.Receipt
  Bytes signature;           // Ed25519 over receipt
  Bytes receipt_public_key;  // the attested aggregator's key, 32 bytes
  std::string measurement;   // hex, as validated by the coordinator
  std::string platform;      // "sim", "sev-snp", "tdx"
  std::string prev_head;     // hex
  std::string head;          // hex
  // Metrics the coordinator observed (never update contents).
  std::string metrics_json;  // a JSON object, "{}" when none
};

// head for an entry given its fields.
std::string ComputeHead(const std::string& prev_head, ByteSpan receipt, ByteSpan signature);

// Encodes one entry as a JSON line (no trailing newline) and back.
std::string EntryToJson(const RoundLogEntry& e);
Result<RoundLogEntry> EntryFromJson(const std::string& line);

// Reads the whole log. Empty file or absent file -> empty vector.
Result<std::vector<RoundLogEntry>> ReadRoundLog(const std::filesystem::path& path);

// Re-verifies the chain (prev_head links, heads) and every receipt signature; checks the
// round numbers increase by one and each receipt's round and previous_log_head match.
// CORRUPTION "log.broken_chain" / UNAUTHENTICATED "receipt.bad_signature", naming the round.
Status VerifyRoundLog(const std::vector<RoundLogEntry>& entries);

// Appends `entry` by rewriting the file atomically (old content + new line).
Status AppendRoundLog(const std::filesystem::path& path, const RoundLogEntry& entry);

}  // namespace fedtee::federation
