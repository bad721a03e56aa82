#include "model/split.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "model/random.h"

namespace fedtee::model {
namespace {

Status BadSplit(std::string message) {
  return Status::InvalidArgument("dataset.bad_split", std::move(message));
}

// Indices of each class, in row order.
std::vector<std::vector<int64_t>> IndicesByClass(const Dataset& data) {
  std::vector<std::vector<int64_t>> by_class(std::max(data.num_classes, 1));
  for (int64_t i = 0; i < data.size(); ++i) by_class[data.y[i]].push_back(i);
  return by_class;
}

// One draw of the Dirichlet scheme (see split.h).
std::vector<std::vector<int64_t>> DrawPartition(const std::vector<std::vector<int64_t>>& by_class,
                                                int parts, double alpha, Rng& rng) {
  std::vector<std::vector<int64_t>> sites(parts);
  std::vector<double> p(parts);
  for (const auto& members : by_class) {
    double total = 0;
    for (int k = 0; k < parts; ++k) total += p[k] = rng.Gamma(alpha);
    if (!(total > 0)) {  // every draw underflowed (tiny alpha): one site takes the class
      std::fill(p.begin(), p.end(), 0.0);
      p[rng.UniformInt(parts)] = total = 1.0;
    }
    std::vector<int64_t> shuffled = members;
    rng.Shuffle(std::span<int64_t>(shuffled));
    const double n = static_cast<double>(shuffled.size());
    double cumulative = 0;
    size_t begin = 0;
    for (int k = 0; k < parts; ++k) {
      cumulative += p[k] / total;
      size_t end = k == parts - 1 ? shuffled.size()
                                  : std::min(shuffled.size(),
                                             static_cast<size_t>(std::llround(n * cumulative)));
      end = std::max(end, begin);
      sites[k].insert(sites[k].end(), shuffled.begin() + begin, shuffled.begin() + end);
      begin = end;
    }
  }
  return sites;
}

bool AllNonEmpty(const std::vector<std::vector<int64_t>>& sites) {
  return std::none_of(sites.begin(), sites.end(), [](const auto& s) { return s.empty(); });
}

// Moves one example into each empty site from the currently largest site.
void FillEmptySites(const Dataset& data, std::vector<std::vector<int64_t>>& sites) {
  for (auto& site : sites) {
    if (!site.empty()) continue;
    auto largest = std::max_element(sites.begin(), sites.end(), [](const auto& a, const auto& b) {
      return a.size() < b.size();
    });
    std::vector<int64_t> counts(data.num_classes, 0);
    for (int64_t i : *largest) ++counts[data.y[i]];
    const int common =
        static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
    for (size_t j = largest->size(); j > 0; --j) {
      if (data.y[(*largest)[j - 1]] == common) {
        site.push_back((*largest)[j - 1]);
        largest->erase(largest->begin() + static_cast<std::ptrdiff_t>(j - 1));
        break;
      }
    }
  }
}

}  // namespace

Result<TrainTest> TrainTestSplit(const Dataset& data, double test_fraction, uint64_t seed) {
  if (!(test_fraction > 0 && test_fraction < 1)) {
    return BadSplit("test_fraction " + std::to_string(test_fraction) + " is not in (0, 1)");
  }
  FEDTEE_RETURN_IF_ERROR(data.Validate());
  Rng rng(seed);
  std::vector<int64_t> train, test;
  for (auto& members : IndicesByClass(data)) {
    rng.Shuffle(std::span<int64_t>(members));
    const size_t n_test = static_cast<size_t>(std::llround(test_fraction * members.size()));
    test.insert(test.end(), members.begin(), members.begin() + n_test);
    train.insert(train.end(), members.begin() + n_test, members.end());
  }
  if (train.empty() || test.empty()) {
    return BadSplit("a test fraction of " + std::to_string(test_fraction) + " over " +
                    std::to_string(data.size()) + " examples leaves one side empty");
  }
  std::sort(train.begin(), train.end());
  std::sort(test.begin(), test.end());
  return TrainTest{Subset(data, train), Subset(data, test)};
}

Result<std::vector<std::vector<int64_t>>> PartitionIndicesNonIid(const Dataset& data, int parts,
                                                                 double alpha, uint64_t seed) {
  if (parts < 1) return BadSplit("parts must be >= 1, got " + std::to_string(parts));
  if (!(alpha > 0) || !std::isfinite(alpha)) {
    return BadSplit("alpha must be a positive number, got " + std::to_string(alpha));
  }
  FEDTEE_RETURN_IF_ERROR(data.Validate());
  if (data.size() < parts) {
    return BadSplit(std::to_string(data.size()) + " examples cannot fill " + std::to_string(parts) +
                    " non-empty parts");
  }
  constexpr int kMaxAttempts = 100;
  Rng rng(seed);
  const auto by_class = IndicesByClass(data);
  std::vector<std::vector<int64_t>> sites;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    sites = DrawPartition(by_class, parts, alpha, rng);
    if (AllNonEmpty(sites)) break;
  }
  FillEmptySites(data, sites);
  for (auto& site : sites) std::sort(site.begin(), site.end());
  return sites;
}

Result<std::vector<Dataset>> PartitionNonIid(const Dataset& data, int parts, double alpha,
                                             uint64_t seed) {
  FEDTEE_ASSIGN_OR_RETURN(auto indices, PartitionIndicesNonIid(data, parts, alpha, seed));
  std::vector<Dataset> out;
  out.reserve(indices.size());
  for (const auto& site : indices) out.push_back(Subset(data, site));
  return out;
}

}  // namespace fedtee::model
