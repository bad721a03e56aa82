#include "aggregator/fedavg.h"

#include <utility>

#include "aggregator/strategies/catalog.h"
#include "aggregator/strategies/weighted_mean.h"

namespace fedtee::aggregator {

FedAvg::FedAvg(FedAvgOptions options) {
  ComposedOptions o;
  o.name = "fedavg";
  o.max_in_flight = options.max_in_flight;
  impl_ = std::make_unique<ComposedStrategy>(std::move(o), std::make_unique<WeightedMeanRule>());
}

FedAvg::~FedAvg() = default;

Result<std::unique_ptr<Strategy>> MakeStrategy(const std::string& name,
                                               const std::map<std::string, double>& params,
                                               size_t max_in_flight,
                                               const StrategyContext& context) {
  FEDTEE_ASSIGN_OR_RETURN(std::unique_ptr<ComposedStrategy> s,
                          BuildStrategy(name, params, max_in_flight));
  s->set_round(context.round);
  if (const auto* prev = dynamic_cast<const ComposedStrategy*>(context.previous)) {
    s->ContinueFrom(*prev);
  }
  return std::unique_ptr<Strategy>(std::move(s));
}

}  // namespace fedtee::aggregator
