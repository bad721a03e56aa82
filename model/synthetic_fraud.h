// A SYNTHETIC card-transaction data set for the finance demo.
//
// No Debian package ships real credit-card fraud data (the well-known Kaggle/ULB set is
// not packaged, and real transaction data is not something we could redistribute), so the
// finance scenario trains on transactions drawn from a hand-written generative model. It
// is not real data and says nothing about real fraud rates; it is meant to have the shape
// of the problem: a rare positive class (about 1-2 %), a handful of signals that each
// overlap between classes, and a distribution that differs from bank to bank.
//
// Each row is one transaction, label 1 = fraud. Features (raw, not standardised: fit a
// Standardizer on training data):
//   log_amount        log(1 + amount); legitimate amounts are log-normal per merchant category
//   hour_sin/hour_cos hour of day on the unit circle (so "night" is linearly separable)
//   log_distance_km   log(1 + distance from the cardholder's home / shipping address)
//   velocity_1h       number of transactions on the card in the previous hour
//   card_present      1 when the card was physically present (chip / swipe)
//   foreign           1 when the merchant is in another country
//   new_merchant      1 when the card never paid this merchant before
//   cat_<category>    one-hot merchant category (8 categories, kMerchantCategories)
// Legitimate transactions: category from the bank's mix, amount log-normal around the
// category's typical spend times amount_scale, mostly daytime hours, card present per
// card_present_rate (never for online services, always for cash and fuel), a small share
// abroad (more for travel), short distances, velocity Poisson(0.3), new merchant 15 %.
// Fraud comes in three kinds:
//   card-not-present (55 %): electronics / online / retail / travel, card absent, larger
//     amounts, 40 % at night, shipping address far away, high velocity, new merchants;
//   counterfeit / stolen card (30 %): cash / electronics / retail, card present, 50 % at
//     night, often abroad and far from home, the highest velocity, larger amounts;
//   camouflaged (15 %): drawn like a legitimate transaction, so no model can find it
//     (this bounds recall, as real fraud that looks normal does).
// Per-bank distribution shift comes from the options (fraud rate, amount scale, category
// mix, foreign / card-present / night shares); DefaultBankProfiles gives a varied set.
//
// Deterministic given the options (seed included), with the portable samplers of
// model/random.h. Thread-safety: free functions without shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/dataset.h"

namespace fedtee::model {

inline constexpr int kNumMerchantCategories = 8;
inline constexpr std::array<std::string_view, kNumMerchantCategories> kMerchantCategories = {
    "grocery",     "restaurant",      "fuel",           "retail", "travel",
    "electronics", "online_services", "cash_withdrawal"};

struct FraudOptions {
  // Number of transactions (rows) to generate; values < 1 are treated as 1.
  int64_t num_transactions = 20000;
  // Probability that a transaction is fraud, clamped to [0, 0.5]. Default 1.5 %.
  double fraud_rate = 0.015;
  // Multiplies every amount (a bank whose customers spend more); must be > 0, else 1.
  double amount_scale = 1.0;
  // Relative weights of the merchant categories (kMerchantCategories order) in legitimate
  // spending; empty (or of the wrong size, or all zero) means the default mix
  // {25, 18, 10, 20, 5, 7, 10, 5}.
  std::vector<double> category_mix = {};
  // Share of legitimate transactions made abroad, clamped to [0, 1].
  double foreign_rate = 0.03;
  // Share of legitimate transactions with the card present (where the category allows
  // either), clamped to [0, 1].
  double card_present_rate = 0.75;
  // Share of legitimate transactions between 00:00 and 06:00, clamped to [0, 1].
  double night_rate = 0.05;
  // Seed of the generator.
  uint64_t seed = 0;
};

// Names of the columns of MakeSyntheticFraud's x, in order.
std::vector<std::string> SyntheticFraudFeatureNames();

// Generates the data set described above: 2 classes ("legit", "fraud").
Dataset MakeSyntheticFraud(const FraudOptions& options);

// `num_banks` deliberately different banks (retail, travel-heavy, online-heavy, wealthy,
// small rural...), cycling through a fixed list of profiles, each with its own seed derived
// from `seed` and `transactions_per_bank` rows.
std::vector<FraudOptions> DefaultBankProfiles(int num_banks, uint64_t seed,
                                              int64_t transactions_per_bank = 20000);

}  // namespace fedtee::model
