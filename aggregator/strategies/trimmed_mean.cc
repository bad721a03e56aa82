#include "aggregator/strategies/trimmed_mean.h"

#include <cmath>

namespace fedtee::aggregator {

size_t TrimmedMeanRule::Trimmed(double beta, size_t n) {
  return static_cast<size_t>(std::floor(beta * static_cast<double>(n)));
}

Result<std::vector<double>> TrimmedMeanRule::Aggregate() const {
  const size_t n = store_.count();
  if (n == 0) return Status::FailedPrecondition("round.too_few_updates", "no update was committed");
  const size_t k = Trimmed(beta_, n);
  const size_t kept = n - 2 * k;  // >= 1 because beta < 0.5
  std::vector<double> out(store_.num_params());
  store_.ForEachSortedColumn([&](size_t j, std::span<const float> col) {
    double s = 0;
    for (size_t i = k; i < n - k; ++i) s += col[i];
    out[j] = s / static_cast<double>(kept);
  });
  return out;
}

}  // namespace fedtee::aggregator
