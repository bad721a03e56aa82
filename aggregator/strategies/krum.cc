#include "aggregator/strategies/krum.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace fedtee::aggregator {
namespace {

double SquaredDistance(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    s += d * d;
  }
  return s;
}

}  // namespace

Result<std::vector<double>> KrumRule::Aggregate() const {
  const size_t n = store_.count();
  if (n == 0) return Status::FailedPrecondition("round.too_few_updates", "no update was committed");
  if (n <= 2 * f_ + 2 || m_ > n - f_) {
    return Status::FailedPrecondition(
        "round.krum_too_few", "krum with f = " + std::to_string(f_) + " and m = " +
                                  std::to_string(m_) + " needs n > 2f + 2 and m <= n - f; " +
                                  std::to_string(n) + " updates committed");
  }
  const auto updates = store_.Ordered();
  std::vector<double> dist(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      dist[i * n + j] = dist[j * n + i] = SquaredDistance(updates[i]->values, updates[j]->values);
    }
  }
  const size_t closest = n - f_ - 2;
  std::vector<double> score(n);
  std::vector<double> row;
  for (size_t i = 0; i < n; ++i) {
    row.clear();
    for (size_t j = 0; j < n; ++j) {
      if (j != i) row.push_back(dist[i * n + j]);
    }
    std::sort(row.begin(), row.end());
    double s = 0;
    for (size_t k = 0; k < closest; ++k) s += row[k];
    score[i] = s;
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  // Stable: equal scores keep the content order.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] < score[b]; });
  std::vector<size_t> chosen(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m_));
  std::sort(chosen.begin(), chosen.end());  // average in content order
  std::vector<double> out(store_.num_params(), 0.0);
  for (size_t c : chosen) {
    const std::vector<float>& v = updates[c]->values;
    for (size_t k = 0; k < out.size(); ++k) out[k] += v[k];
  }
  for (double& x : out) x /= static_cast<double>(m_);
  return out;
}

}  // namespace fedtee::aggregator
