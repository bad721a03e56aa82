// The strategies this build knows, their parameters, defaults and ranges
// (docs/strategies.md is the user-facing table; coordinator/config.cc checks the same
// names and ranges before a round is ever opened).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aggregator/strategies/composed.h"
#include "base/status.h"

namespace fedtee::aggregator {

// Every strategy name, in documentation order.
const std::vector<std::string>& StrategyNames();

// Builds `name` ("" = "fedavg") with `params`. Errors: INVALID_ARGUMENT
// "round.unknown_strategy", "round.bad_strategy_params" (naming the parameter).
Result<std::unique_ptr<ComposedStrategy>> BuildStrategy(
    const std::string& name, const std::map<std::string, double>& params, size_t max_in_flight);

}  // namespace fedtee::aggregator
