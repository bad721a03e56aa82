// Privacy accounting for the Gaussian mechanism with Renyi differential privacy (Mironov
// 2017, "Renyi Differential Privacy"), the accountant of TF Privacy and Opacus.
//   Full participation (q = 1): each round is a Gaussian mechanism of noise multiplier
//   sigma (noise std / L2 sensitivity), RDP(alpha) = alpha / (2 sigma^2).
//   Poisson subsampling with rate q < 1: the sampled Gaussian mechanism, integer orders,
//   RDP(alpha) = log(sum_{k=0..alpha} C(alpha,k) (1-q)^(alpha-k) q^k exp((k^2-k)/(2 sigma^2)))
//   / (alpha - 1)  (Mironov, Talwar, Zhang 2019, "Renyi Differential Privacy of the Sampled
//   Gaussian Mechanism", Sec. 3.3).
// T rounds compose additively, and RDP converts to (epsilon, delta)-DP with
//   epsilon = min_alpha  T*RDP(alpha) + log((alpha-1)/alpha) - (log(delta) + log(alpha))/(alpha-1)
// (Canonne, Kamath, Steinke 2020, Prop. 12; Balle et al. 2020), over a fixed list of orders.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

namespace fedtee::aggregator {

// The orders tried: 1.25 ... 256 (fractional ones only for q = 1).
std::vector<double> RdpOrders(bool integer_only);

// RDP of one round at `order` for noise multiplier `sigma` > 0 and sampling rate q in (0, 1].
double GaussianRdp(double order, double sigma, double q);

struct PrivacySpent {
  double epsilon = 0;  // +inf when sigma == 0
  double order = 0;    // the order that gave it
};

// (epsilon, delta) after `rounds` rounds; delta in (0, 1).
PrivacySpent EpsilonAfter(uint64_t rounds, double sigma, double q, double delta);

}  // namespace fedtee::aggregator
