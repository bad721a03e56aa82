// Seeded splits of a Dataset: a stratified train/test split, and the non-IID partition
// across federation sites used by the demos.
//
// Non-IID scheme (PartitionNonIid): Dirichlet label skew, as in Hsu, Qi & Brown,
// "Measuring the Effects of Non-Identical Data Distribution for Federated Visual
// Classification" (2019) and Flower's DirichletPartitioner:
//   for each class c, in class order:
//     draw proportions p_c ~ Dirichlet(alpha, ..., alpha) over the `parts` sites
//       (independent Gamma(alpha, 1) draws, normalised);
//     shuffle the examples of class c;
//     give site k the next round(n_c * (p_c1 + ... + p_ck)) - round(n_c * (p_c1 + ... + p_c(k-1)))
//       of them (cumulative rounding, so every example goes to exactly one site).
//   If some site ends up empty, redraw everything (up to 100 times); if a site is still
//   empty, move one example into it from the largest site (its last example of the most
//   common class there). Each site's indices are returned in ascending order.
// Small alpha (0.1) gives sites dominated by one class; large alpha (100) is close to IID.
//
// Determinism: everything is drawn from std::mt19937_64 seeded with `seed`, through the
// samplers of model/random.h (our own Gamma (Marsaglia-Tsang), shuffles and uniform
// integers, not std::*_distribution, whose algorithms differ between standard libraries).
// So a seed gives the same split with libstdc++ or libc++ (up to libm's last-ulp
// differences in log/pow).
//
// Errors: INVALID_ARGUMENT "dataset.bad_split" for a fraction outside (0, 1), parts < 1,
// alpha <= 0 (or not finite), or fewer examples than the split needs.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "model/dataset.h"

namespace fedtee::model {

struct TrainTest {
  Dataset train;
  Dataset test;
};

// Stratified split: for each class, round(test_fraction * n_c) of its examples (chosen by
// the seeded shuffle) go to test, the rest to train; both keep the original row order.
// Needs at least one example on each side.
Result<TrainTest> TrainTestSplit(const Dataset& data, double test_fraction, uint64_t seed);

// Row indices of each of `parts` sites under the Dirichlet scheme above; every index of
// [0, data.size()) appears in exactly one site, every site is non-empty.
Result<std::vector<std::vector<int64_t>>> PartitionIndicesNonIid(const Dataset& data, int parts,
                                                                 double alpha, uint64_t seed);
// The sites' data sets (Subset of PartitionIndicesNonIid).
Result<std::vector<Dataset>> PartitionNonIid(const Dataset& data, int parts, double alpha,
                                             uint64_t seed);

}  // namespace fedtee::model
