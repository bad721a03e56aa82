// DEMO ONLY: a SIMULATED MALICIOUS PARTICIPANT, for the finance demo's poisoning scenario
// (examples/finance). Never set in a real deployment.
//
// When the environment variable FEDTEE_SIMULATE_MALICIOUS is set, this participant
// corrupts its own model delta from a given round on, before sealing it:
//   FEDTEE_SIMULATE_MALICIOUS="sign_flip,from=4,scale=10"
//     sign_flip  delta <- -scale * delta   (a model-poisoning "boosted" reversed update)
//     scale      delta <-  scale * delta   (an oversized update)
//   from   first round attacked (default 1); scale default 10.
// It lives in an environment variable rather than site.toml so that no site configuration
// a real operator writes can switch it on by a typo. Every corrupted round is logged as a
// warning naming the simulation.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "model/tensor.h"

namespace fedtee::participant {

struct SimulatedAttack {
  enum class Kind { kSignFlip, kScale };
  Kind kind = Kind::kSignFlip;
  uint64_t from_round = 1;
  float scale = 10.0f;
};

// Parses the variable's text. INVALID_ARGUMENT "config.bad_value" for anything else.
Result<SimulatedAttack> ParseSimulatedAttack(const std::string& text);

// The attack from FEDTEE_SIMULATE_MALICIOUS, or nullopt when unset (or unparsable: logged).
std::optional<SimulatedAttack> SimulatedAttackFromEnvironment();

// Applies the attack to `delta` when `round` >= from_round; true when it did.
bool ApplySimulatedAttack(const SimulatedAttack& attack, uint64_t round, model::ModelParams& delta);

}  // namespace fedtee::participant
