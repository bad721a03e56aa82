#include "participant/attack.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <sstream>

namespace fedtee::participant {

Result<SimulatedAttack> ParseSimulatedAttack(const std::string& text) {
  SimulatedAttack a;
  std::istringstream in(text);
  std::string item;
  bool first = true;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("config.bad_value",
                                   "FEDTEE_SIMULATE_MALICIOUS='" + text + "': " + why);
  };
  while (std::getline(in, item, ',')) {
    if (first) {
      first = false;
      if (item == "sign_flip") {
        a.kind = SimulatedAttack::Kind::kSignFlip;
      } else if (item == "scale") {
        a.kind = SimulatedAttack::Kind::kScale;
      } else {
        return bad("the attack is sign_flip or scale");
      }
      continue;
    }
    const auto eq = item.find('=');
    if (eq == std::string::npos) return bad("expected key=value, got '" + item + "'");
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    char* end = nullptr;
    if (k == "from") {
      a.from_round = std::strtoull(v.c_str(), &end, 10);
    } else if (k == "scale") {
      a.scale = std::strtof(v.c_str(), &end);
    } else {
      return bad("unknown key '" + k + "' (from, scale)");
    }
    if (end == nullptr || *end != '\0' || v.empty()) return bad("bad number '" + v + "'");
  }
  if (first) return bad("empty");
  return a;
}

std::optional<SimulatedAttack> SimulatedAttackFromEnvironment() {
  const char* v = std::getenv("FEDTEE_SIMULATE_MALICIOUS");
  if (v == nullptr || *v == '\0') return std::nullopt;
  auto a = ParseSimulatedAttack(v);
  if (!a.ok()) {
    spdlog::error("{}", a.status().ToString());
    return std::nullopt;
  }
  return *a;
}

bool ApplySimulatedAttack(const SimulatedAttack& attack, uint64_t round,
                          model::ModelParams& delta) {
  if (round < attack.from_round) return false;
  const float f = attack.kind == SimulatedAttack::Kind::kSignFlip ? -attack.scale : attack.scale;
  for (size_t i = 0; i < delta.size(); ++i) {
    for (float& x : delta.mutable_data(i)) x *= f;
  }
  spdlog::warn("round {}: SIMULATED MALICIOUS PARTICIPANT (demo only): update {} x{}", round,
               attack.kind == SimulatedAttack::Kind::kSignFlip ? "sign-flipped and scaled"
                                                               : "scaled",
               attack.scale);
  return true;
}

}  // namespace fedtee::participant
