#include "model/synthetic_fraud.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "model/random.h"

namespace fedtee::model {
namespace {

enum Category { kGrocery, kRestaurant, kFuel, kRetail, kTravel, kElectronics, kOnline, kCash };

// log of the typical legitimate amount per category (grocery ~ 30, travel ~ 250 ...).
constexpr std::array<double, kNumMerchantCategories> kLogAmount = {3.4, 3.2, 3.7, 3.9,
                                                                   5.5, 5.0, 3.3, 4.4};
constexpr std::array<double, kNumMerchantCategories> kDefaultMix = {25, 18, 10, 20, 5, 7, 10, 5};
constexpr std::array<double, kNumMerchantCategories> kCnpFraudMix = {0, 0, 0, 15, 5, 45, 35, 0};
constexpr std::array<double, kNumMerchantCategories> kCardFraudMix = {5, 0, 5, 20, 0, 25, 0, 45};

enum Column {
  kLogAmountCol,
  kHourSin,
  kHourCos,
  kLogDistance,
  kVelocity,
  kCardPresent,
  kForeign,
  kNewMerchant,
  kFirstCategory,
  kNumColumns = kFirstCategory + kNumMerchantCategories
};

struct Transaction {
  int category = 0;
  double amount = 0;
  double hour = 12;
  double distance_km = 0;
  int velocity = 0;
  bool card_present = true;
  bool foreign = false;
  bool new_merchant = false;
};

double Clamp01(double v, double hi = 1.0) {
  return std::isfinite(v) ? std::clamp(v, 0.0, hi) : 0.0;
}

double DaytimeHour(Rng& rng) {
  // Waking-hours spending peaks in the early afternoon.
  return std::clamp(rng.Normal(14.0, 3.5), 6.0, 23.99);
}

double NightHour(Rng& rng) { return rng.Uniform(0.0, 6.0); }

Transaction Legitimate(const FraudOptions& o, std::span<const double> mix, Rng& rng) {
  Transaction t;
  t.category = static_cast<int>(rng.Categorical(mix));
  t.amount = std::exp(rng.Normal(kLogAmount[t.category], 0.8)) * o.amount_scale;
  t.hour = rng.Bernoulli(Clamp01(o.night_rate)) ? NightHour(rng) : DaytimeHour(rng);
  t.card_present = t.category == kCash || t.category == kFuel ||
                   (t.category != kOnline && rng.Bernoulli(Clamp01(o.card_present_rate)));
  const double foreign_rate = Clamp01(o.foreign_rate * (t.category == kTravel ? 4.0 : 1.0));
  t.foreign = rng.Bernoulli(foreign_rate);
  t.distance_km = std::exp(rng.Normal(std::log(t.card_present ? 6.0 : 4.0), 1.0));
  if (t.foreign) t.distance_km += std::exp(rng.Normal(std::log(900.0), 0.7));
  t.velocity = rng.Poisson(0.3);
  t.new_merchant = rng.Bernoulli(t.category == kTravel ? 0.5 : 0.15);
  return t;
}

Transaction CardNotPresentFraud(const FraudOptions& o, Rng& rng) {
  Transaction t;
  t.category = static_cast<int>(rng.Categorical(kCnpFraudMix));
  t.amount = std::exp(rng.Normal(kLogAmount[t.category] + 0.6, 0.9)) * o.amount_scale;
  t.hour = rng.Bernoulli(0.4) ? NightHour(rng) : DaytimeHour(rng);
  t.card_present = rng.Bernoulli(0.05);
  t.foreign = rng.Bernoulli(0.25);
  t.distance_km = std::exp(rng.Normal(std::log(200.0), 1.3));
  t.velocity = rng.Poisson(2.5);
  t.new_merchant = rng.Bernoulli(0.8);
  return t;
}

Transaction CardPresentFraud(const FraudOptions& o, Rng& rng) {
  Transaction t;
  t.category = static_cast<int>(rng.Categorical(kCardFraudMix));
  t.amount = std::exp(rng.Normal(kLogAmount[t.category] + 0.8, 0.9)) * o.amount_scale;
  t.hour = rng.Bernoulli(0.5) ? NightHour(rng) : DaytimeHour(rng);
  t.card_present = rng.Bernoulli(0.9);
  t.foreign = rng.Bernoulli(0.5);
  t.distance_km = std::exp(rng.Normal(std::log(400.0), 1.2));
  t.velocity = rng.Poisson(4.0);
  t.new_merchant = rng.Bernoulli(0.7);
  return t;
}

void WriteRow(const Transaction& t, Eigen::MatrixXf& x, Eigen::Index row) {
  const double angle = 2.0 * std::numbers::pi * t.hour / 24.0;
  x(row, kLogAmountCol) = static_cast<float>(std::log1p(t.amount));
  x(row, kHourSin) = static_cast<float>(std::sin(angle));
  x(row, kHourCos) = static_cast<float>(std::cos(angle));
  x(row, kLogDistance) = static_cast<float>(std::log1p(t.distance_km));
  x(row, kVelocity) = static_cast<float>(t.velocity);
  x(row, kCardPresent) = t.card_present ? 1.0f : 0.0f;
  x(row, kForeign) = t.foreign ? 1.0f : 0.0f;
  x(row, kNewMerchant) = t.new_merchant ? 1.0f : 0.0f;
  x(row, kFirstCategory + t.category) = 1.0f;
}

}  // namespace

std::vector<std::string> SyntheticFraudFeatureNames() {
  std::vector<std::string> names = {"log_amount",  "hour_sin",     "hour_cos", "log_distance_km",
                                    "velocity_1h", "card_present", "foreign",  "new_merchant"};
  for (std::string_view c : kMerchantCategories) names.push_back("cat_" + std::string(c));
  return names;
}

Dataset MakeSyntheticFraud(const FraudOptions& options) {
  FraudOptions o = options;
  if (!(o.amount_scale > 0) || !std::isfinite(o.amount_scale)) o.amount_scale = 1.0;
  std::vector<double> mix(kDefaultMix.begin(), kDefaultMix.end());
  if (o.category_mix.size() == kNumMerchantCategories) {
    double total = 0;
    bool valid = true;
    for (double w : o.category_mix) {
      valid = valid && std::isfinite(w) && w >= 0;
      total += w;
    }
    if (valid && total > 0) mix = o.category_mix;
  }
  const double fraud_rate = Clamp01(o.fraud_rate, 0.5);
  const Eigen::Index n = std::max<int64_t>(o.num_transactions, 1);

  Dataset data;
  data.x = Eigen::MatrixXf::Zero(n, kNumColumns);
  data.y.resize(n);
  data.num_classes = 2;
  data.class_names = {"legit", "fraud"};
  data.feature_names = SyntheticFraudFeatureNames();
  Rng rng(o.seed);
  for (Eigen::Index i = 0; i < n; ++i) {
    const bool fraud = rng.Bernoulli(fraud_rate);
    Transaction t;
    if (!fraud) {
      t = Legitimate(o, mix, rng);
    } else {
      const double kind = rng.Uniform();
      t = kind < 0.55   ? CardNotPresentFraud(o, rng)
          : kind < 0.85 ? CardPresentFraud(o, rng)
                        : Legitimate(o, mix, rng);  // camouflaged
    }
    WriteRow(t, data.x, i);
    data.y[i] = fraud ? 1 : 0;
  }
  return data;
}

std::vector<FraudOptions> DefaultBankProfiles(int num_banks, uint64_t seed,
                                              int64_t transactions_per_bank) {
  // {fraud_rate, amount_scale, foreign, card_present, night, mix}
  struct Profile {
    double fraud_rate, amount_scale, foreign_rate, card_present_rate, night_rate;
    std::vector<double> mix;
  };
  const std::vector<Profile> profiles = {
      {0.012, 1.0, 0.03, 0.80, 0.04, {25, 18, 10, 20, 5, 7, 10, 5}},  // high-street retail bank
      {0.020, 1.4, 0.15, 0.60, 0.08, {10, 20, 5, 15, 25, 8, 12, 5}},  // travel card issuer
      {0.018, 0.8, 0.04, 0.35, 0.10, {10, 8, 3, 25, 4, 15, 33, 2}},   // online-first neobank
      {0.010, 3.0, 0.10, 0.75, 0.03, {15, 25, 5, 25, 15, 10, 4, 1}},  // private / wealthy clients
      {0.014, 0.7, 0.01, 0.90, 0.05, {35, 10, 25, 15, 2, 3, 2, 8}},   // small rural bank
  };
  std::vector<FraudOptions> out;
  for (int b = 0; b < num_banks; ++b) {
    const Profile& p = profiles[static_cast<size_t>(b) % profiles.size()];
    FraudOptions o;
    o.num_transactions = transactions_per_bank;
    o.fraud_rate = p.fraud_rate;
    o.amount_scale = p.amount_scale;
    o.foreign_rate = p.foreign_rate;
    o.card_present_rate = p.card_present_rate;
    o.night_rate = p.night_rate;
    o.category_mix = p.mix;
    o.seed = Rng::DeriveSeed(seed, static_cast<uint64_t>(b));
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace fedtee::model
