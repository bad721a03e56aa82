#include "participant/rollback_guard.h"

#include <nlohmann/json.hpp>

#include "base/file.h"

namespace fedtee::participant {

Result<RollbackGuard> RollbackGuard::Open(const std::filesystem::path& state_file) {
  RollbackGuard guard(state_file);
  auto text = ReadTextFile(state_file, size_t{1} << 16);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return guard;
    return text.status().Wrap("reading participant state " + state_file.string());
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("round") ||
      !j["round"].is_number_unsigned() || !j.contains("log_head") || !j["log_head"].is_string()) {
    return Status::Corruption("state.malformed",
                              state_file.string() +
                                  " is not a participant state file ({\"round\", \"log_head\"}); "
                                  "refusing to start without rollback protection");
  }
  guard.round_ = j["round"].get<uint64_t>();
  guard.head_ = j["log_head"].get<std::string>();
  if (j.contains("federation_id") && j["federation_id"].is_string()) {
    guard.federation_id_ = j["federation_id"].get<std::string>();
  }
  return guard;
}

Status RollbackGuard::CheckClaim(uint64_t last_committed_round, const std::string& log_head) const {
  if (last_committed_round < round_) {
    return Status::PermissionDenied("coordinator.rollback",
                                    "the coordinator claims its last committed round is " +
                                        std::to_string(last_committed_round) +
                                        ", but this site already verified a receipt "
                                        "for round " +
                                        std::to_string(round_) + " (log head " + head_ +
                                        "): its state was rolled back or replaced");
  }
  if (last_committed_round == round_ && round_ > 0 && !log_head.empty() && !head_.empty() &&
      log_head != head_) {
    return Status::PermissionDenied(
        "coordinator.fork", "the coordinator's log head after round " + std::to_string(round_) +
                                " is " + log_head + ", but this site verified " + head_);
  }
  return Status::Ok();
}

Status RollbackGuard::Record(uint64_t round, const std::string& log_head,
                             const std::string& federation_id) {
  if (round < round_) return Status::Ok();
  if (round == round_ && round_ > 0) {
    if (log_head != head_) {
      return Status::PermissionDenied("coordinator.fork", "round " + std::to_string(round) +
                                                              " has log head " + log_head +
                                                              ", but this site verified " + head_);
    }
    return Status::Ok();
  }
  nlohmann::json j;
  j["round"] = round;
  j["log_head"] = log_head;
  j["federation_id"] = federation_id;
  Status s = WriteFileAtomic(path_, j.dump() + "\n", 0600);
  if (!s.ok()) return s.Wrap("writing participant state " + path_.string());
  round_ = round;
  head_ = log_head;
  federation_id_ = federation_id;
  return Status::Ok();
}

}  // namespace fedtee::participant
