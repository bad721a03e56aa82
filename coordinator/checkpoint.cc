#include "coordinator/checkpoint.h"

#include <nlohmann/json.hpp>

#include <string>

#include "base/file.h"
#include "crypto/digest.h"

namespace fedtee::coordinator {

using nlohmann::json;

namespace {

Status WriteState(const std::filesystem::path& path, const CommittedState& s) {
  json j = {{"federation_id", s.federation_id},
            {"last_committed_round", s.last_committed_round},
            {"log_head", s.log_head},
            {"model_sha256", s.model_sha256}};
  return WriteFileAtomic(path, std::string_view(j.dump(2) + "\n"));
}

std::string LogText(const std::vector<federation::RoundLogEntry>& entries) {
  std::string out;
  for (const auto& e : entries) out += federation::EntryToJson(e) + "\n";
  return out;
}

}  // namespace

std::filesystem::path CheckpointStore::round_model_path(uint64_t round) const {
  return dir_ / "models" / ("round-" + std::to_string(round) + ".safetensors");
}

Status CheckpointStore::Init() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_ / "models", ec);
  if (ec) {
    return Status::IOError("checkpoint.mkdir", "cannot create " + (dir_ / "models").string() +
                                                   ": " + ec.message());
  }
  return Status::Ok();
}

Result<std::optional<CommittedState>> CheckpointStore::Load(Bytes* model_bytes) const {
  auto text = ReadTextFile(state_path());
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<CommittedState>();
    return text.status();
  }
  json j = json::parse(*text, nullptr, false);
  CommittedState s;
  try {
    s.federation_id = j.at("federation_id").get<std::string>();
    s.last_committed_round = j.at("last_committed_round").get<uint64_t>();
    s.log_head = j.at("log_head").get<std::string>();
    s.model_sha256 = j.at("model_sha256").get<std::string>();
  } catch (const json::exception& e) {
    return Status::Corruption("checkpoint.malformed",
                              state_path().string() + " is not a fedtee state file: " + e.what());
  }
  FEDTEE_ASSIGN_OR_RETURN(auto entries, federation::ReadRoundLog(log_path()));
  if (entries.size() > s.last_committed_round) {
    // Written before a crash that came ahead of state.json: not committed. Trim.
    entries.resize(s.last_committed_round);
    FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(log_path(), std::string_view(LogText(entries))));
  }
  if (entries.size() != s.last_committed_round) {
    return Status::Corruption("checkpoint.mismatch",
                              "state.json says round " + std::to_string(s.last_committed_round) +
                                  " but the round log has " + std::to_string(entries.size()) +
                                  " entries");
  }
  FEDTEE_RETURN_IF_ERROR(federation::VerifyRoundLog(entries));
  std::string head = entries.empty() ? federation::kGenesisHead : entries.back().head;
  if (head != s.log_head) {
    return Status::Corruption("checkpoint.mismatch", "state.json log head " + s.log_head +
                                                         " != round log head " + head);
  }
  FEDTEE_ASSIGN_OR_RETURN(*model_bytes, ReadFile(round_model_path(s.last_committed_round)));
  if (HexEncode(crypto::Sha256(*model_bytes)) != s.model_sha256) {
    return Status::Corruption("checkpoint.mismatch",
                              round_model_path(s.last_committed_round).string() +
                                  " does not match the digest in state.json");
  }
  auto latest = ReadFile(model_path());
  if (!latest.ok() || HexEncode(crypto::Sha256(*latest)) != s.model_sha256) {
    // A crash between the model copy and state.json: put the committed model back.
    FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(model_path(), *model_bytes));
  }
  return std::optional<CommittedState>(s);
}

Status CheckpointStore::InitFresh(const CommittedState& state, ByteSpan model_bytes) const {
  FEDTEE_RETURN_IF_ERROR(Init());
  FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(round_model_path(0), model_bytes));
  FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(model_path(), model_bytes));
  FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(log_path(), std::string_view("")));
  return WriteState(state_path(), state);
}

Status CheckpointStore::Commit(const CommittedState& state, ByteSpan model_bytes,
                               const federation::RoundLogEntry& entry) const {
  FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(round_model_path(state.last_committed_round), model_bytes));
  FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(model_path(), model_bytes));
  FEDTEE_RETURN_IF_ERROR(federation::AppendRoundLog(log_path(), entry));
  return WriteState(state_path(), state);  // the commit point
}

}  // namespace fedtee::coordinator
