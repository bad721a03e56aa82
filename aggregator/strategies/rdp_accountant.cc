#include "aggregator/strategies/rdp_accountant.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fedtee::aggregator {
namespace {

double LogAddExp(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  if (b == -std::numeric_limits<double>::infinity()) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

double LogBinomial(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

}  // namespace

std::vector<double> RdpOrders(bool integer_only) {
  std::vector<double> orders;
  if (!integer_only) orders = {1.25, 1.5, 1.75, 2.5, 3.5, 4.5};
  for (int a = 2; a <= 64; ++a) orders.push_back(a);
  for (double a : {80.0, 96.0, 128.0, 192.0, 256.0}) orders.push_back(a);
  std::sort(orders.begin(), orders.end());
  return orders;
}

double GaussianRdp(double order, double sigma, double q) {
  if (!(sigma > 0)) return std::numeric_limits<double>::infinity();
  if (q >= 1.0) return order / (2.0 * sigma * sigma);
  if (q <= 0.0) return 0.0;
  // Integer order (callers pass integer orders when q < 1).
  const int alpha = static_cast<int>(order);
  double log_a = -std::numeric_limits<double>::infinity();
  for (int k = 0; k <= alpha; ++k) {
    const double term = LogBinomial(alpha, k) + (alpha - k) * std::log1p(-q) + k * std::log(q) +
                        (static_cast<double>(k) * k - k) / (2.0 * sigma * sigma);
    log_a = LogAddExp(log_a, term);
  }
  return log_a / (alpha - 1);
}

PrivacySpent EpsilonAfter(uint64_t rounds, double sigma, double q, double delta) {
  PrivacySpent best{std::numeric_limits<double>::infinity(), 0};
  if (rounds == 0) return {0, 0};
  if (!(sigma > 0)) return best;
  for (double a : RdpOrders(q < 1.0)) {
    const double rdp = static_cast<double>(rounds) * GaussianRdp(a, sigma, q);
    const double eps =
        rdp + std::log((a - 1) / a) - (std::log(delta) + std::log(a)) / (a - 1);
    if (eps < best.epsilon) best = {std::max(0.0, eps), a};
  }
  return best;
}

}  // namespace fedtee::aggregator
