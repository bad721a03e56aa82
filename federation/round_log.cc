#include "federation/round_log.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "base/file.h"
#include "crypto/digest.h"
#include "federation/receipt.h"

namespace fedtee::federation {

using nlohmann::json;

std::string ComputeHead(const std::string& prev_head, ByteSpan receipt, ByteSpan signature) {
  crypto::Hasher h(crypto::HashAlg::kSha256);
  h.Update(AsBytes(prev_head));
  h.Update(crypto::Sha256(receipt));
  h.Update(signature);
  return HexEncode(h.Finish());
}

std::string EntryToJson(const RoundLogEntry& e) {
  json j;
  j["round"] = e.round;
  j["prev_head"] = e.prev_head;
  j["head"] = e.head;
  j["receipt"] = HexEncode(e.receipt);
  j["signature"] = HexEncode(e.signature);
  j["receipt_public_key"] = HexEncode(e.receipt_public_key);
  j["measurement"] = e.measurement;
  j["platform"] = e.platform;
  j["metrics"] = json::parse(e.metrics_json.empty() ? "{}" : e.metrics_json, nullptr, false);
  if (j["metrics"].is_discarded()) j["metrics"] = json::object();
  return j.dump();
}

Result<RoundLogEntry> EntryFromJson(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Corruption("log.malformed", "round log line is not a JSON object");
  }
  try {
    RoundLogEntry e;
    e.round = j.at("round").get<uint64_t>();
    e.prev_head = j.at("prev_head").get<std::string>();
    e.head = j.at("head").get<std::string>();
    FEDTEE_ASSIGN_OR_RETURN(e.receipt, HexDecode(j.at("receipt").get<std::string>()));
    FEDTEE_ASSIGN_OR_RETURN(e.signature, HexDecode(j.at("signature").get<std::string>()));
    FEDTEE_ASSIGN_OR_RETURN(e.receipt_public_key,
                            HexDecode(j.at("receipt_public_key").get<std::string>()));
    e.measurement = j.value("measurement", "");
    e.platform = j.value("platform", "");
    e.metrics_json = j.contains("metrics") ? j["metrics"].dump() : "{}";
    return e;
  } catch (const json::exception& ex) {
    return Status::Corruption("log.malformed", std::string("round log entry: ") + ex.what());
  }
}

Result<std::vector<RoundLogEntry>> ReadRoundLog(const std::filesystem::path& path) {
  std::vector<RoundLogEntry> out;
  auto text = ReadTextFile(path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return out;
    return text.status();
  }
  std::istringstream in(*text);
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    auto e = EntryFromJson(line);
    if (!e.ok()) return e.status().Wrap(path.string() + " line " + std::to_string(lineno));
    out.push_back(std::move(e).value());
  }
  return out;
}

Status VerifyRoundLog(const std::vector<RoundLogEntry>& entries) {
  std::string prev = kGenesisHead;
  uint64_t prev_round = 0;
  for (const auto& e : entries) {
    std::string where = "round " + std::to_string(e.round);
    if (prev_round != 0 && e.round != prev_round + 1) {
      return Status::Corruption("log.broken_chain", where + " follows round " +
                                                        std::to_string(prev_round));
    }
    if (e.prev_head != prev) {
      return Status::Corruption("log.broken_chain",
                                where + ": prev_head " + e.prev_head + " != head before it " + prev);
    }
    if (ComputeHead(e.prev_head, e.receipt, e.signature) != e.head) {
      return Status::Corruption("log.broken_chain", where + ": head does not match its content");
    }
    auto r = VerifyReceipt(e.receipt, e.signature, e.receipt_public_key);
    if (!r.ok()) return r.status().Wrap(where);
    if (r->round() != e.round) {
      return Status::Corruption("log.broken_chain",
                                where + ": receipt is for round " + std::to_string(r->round()));
    }
    if (r->previous_log_head() != e.prev_head) {
      return Status::Corruption("log.broken_chain",
                                where + ": receipt was signed over another log head");
    }
    prev = e.head;
    prev_round = e.round;
  }
  return Status::Ok();
}

Status AppendRoundLog(const std::filesystem::path& path, const RoundLogEntry& entry) {
  std::string content;
  auto old = ReadTextFile(path);
  if (old.ok()) {
    content = std::move(old).value();
  } else if (old.status().code() != StatusCode::kNotFound) {
    return old.status();
  }
  if (!content.empty() && content.back() != '\n') content.push_back('\n');
  content += EntryToJson(entry);
  content.push_back('\n');
  return WriteFileAtomic(path, std::string_view(content));
}

}  // namespace fedtee::federation
