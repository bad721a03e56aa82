#include "participant/local_data.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "base/file.h"

namespace fedtee::participant {
namespace {

class LocalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fedtee_local_data_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    EXPECT_TRUE(WriteFileAtomic(dir_ / name, std::string_view(text)).ok());
    return dir_ / name;
  }
  std::filesystem::path dir_;
};

// 20 rows, label in the middle column, classes 0 and 1 alternating.
std::string TwentyRows() {
  std::string csv = "\"a, first\",label,b\n";
  for (int i = 0; i < 20; ++i) {
    csv += std::to_string(i) + "," + std::to_string(i % 2) + "," + std::to_string(2 * i) + "\n";
  }
  return csv;
}

TEST_F(LocalDataTest, FindsTheLabelColumnByNameWithQuotedHeaders) {
  auto csv = Write("s.csv", TwentyRows());
  EXPECT_EQ(FindColumn(csv, "label").value(), 1);
  EXPECT_EQ(FindColumn(csv, "a, first").value(), 0);
  EXPECT_EQ(FindColumn(csv, "missing").status().reason(), "data.no_label_column");
  auto d = LoadExamples(csv, "csv", "label");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size(), 20);
  EXPECT_EQ(d->num_features(), 2);
  EXPECT_EQ(d->feature_names, (std::vector<std::string>{"a, first", "b"}));
  EXPECT_FLOAT_EQ(d->x(3, 1), 6.0f);
  EXPECT_EQ(d->y[3], 1);
}

TEST_F(LocalDataTest, ScalerRoundTripsAndIsApplied) {
  ScalerFile s;
  s.feature_names = {"a", "b"};
  s.standardizer.mean = Eigen::RowVectorXf{{9.5f, 19.0f}};
  s.standardizer.scale = Eigen::RowVectorXf{{2.0f, 4.0f}};
  s.note = "test";
  ASSERT_TRUE(SaveScalerFile(dir_ / "scaler.json", s).ok());
  auto back = LoadScalerFile(dir_ / "scaler.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->feature_names, s.feature_names);
  EXPECT_EQ(back->standardizer.mean, s.standardizer.mean);
  EXPECT_EQ(back->standardizer.scale, s.standardizer.scale);

  DataConfig c;
  c.csv = Write("s.csv", TwentyRows());
  c.scaler = dir_ / "scaler.json";
  c.eval_fraction = 0.2;
  c.seed = 3;
  auto data = LoadLocalData(c);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(data->train.size(), 16);
  EXPECT_EQ(data->eval.size(), 4);
  EXPECT_EQ(data->eval.ClassCounts(), (std::vector<int64_t>{2, 2}));  // stratified
  // Row values were standardised: (x - 9.5) / 2 for column a.
  for (int64_t i = 0; i < data->train.size(); ++i) {
    float a = data->train.x(i, 0) * 2.0f + 9.5f;
    EXPECT_NEAR(a, std::round(a), 1e-4);
  }
}

TEST_F(LocalDataTest, ScalerErrorsAreNamed) {
  EXPECT_EQ(ScalerFromJson("[]").status().reason(), "scaler.malformed");
  EXPECT_EQ(
      ScalerFromJson(R"({"format":"fedtee.scaler.v1","mean":[1],"std":[0]})").status().reason(),
      "scaler.malformed");
  EXPECT_EQ(
      ScalerFromJson(R"({"format":"fedtee.scaler.v1","mean":[1,2],"std":[1]})").status().reason(),
      "scaler.malformed");
  // A scaler with another feature count than the data.
  ASSERT_TRUE(
      WriteFileAtomic(dir_ / "one.json",
                      std::string_view(R"({"format":"fedtee.scaler.v1","mean":[1],"std":[1]})"))
          .ok());
  DataConfig c;
  c.csv = Write("s.csv", TwentyRows());
  c.scaler = dir_ / "one.json";
  EXPECT_EQ(LoadLocalData(c).status().reason(), "data.feature_mismatch");
}

TEST_F(LocalDataTest, ConformRaisesClassesButNotFeatures) {
  DataConfig c;
  c.csv = Write("s.csv", TwentyRows());
  c.eval_fraction = 0;
  auto data = LoadLocalData(c).value();
  EXPECT_EQ(data.eval.size(), 0);
  EXPECT_TRUE(ConformToModel(data.train, 2, 3).ok());
  EXPECT_EQ(data.train.num_classes, 3);
  EXPECT_TRUE(data.train.Validate().ok()) << data.train.Validate().ToString();
  EXPECT_EQ(ConformToModel(data.train, 3, 3).reason(), "data.feature_mismatch");
  EXPECT_EQ(ConformToModel(data.train, 2, 2).reason(), "data.class_mismatch");
}

}  // namespace
}  // namespace fedtee::participant
