#include "aggregator/strategies/median.h"

namespace fedtee::aggregator {

Result<std::vector<double>> MedianRule::Aggregate() const {
  const size_t n = store_.count();
  if (n == 0) return Status::FailedPrecondition("round.too_few_updates", "no update was committed");
  std::vector<double> out(store_.num_params());
  store_.ForEachSortedColumn([&](size_t j, std::span<const float> col) {
    out[j] = (n % 2 == 1) ? static_cast<double>(col[n / 2])
                          : (static_cast<double>(col[n / 2 - 1]) + col[n / 2]) / 2.0;
  });
  return out;
}

}  // namespace fedtee::aggregator
