#include "model/dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model/standardizer.h"

namespace fedtee::model {
namespace {

constexpr const char* kBreastCancer =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

class CsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("fedtee_csv_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  std::string SklearnReason(const std::string& text) {
    return LoadSklearnCsv(Write("f.csv", text)).status().reason();
  }
  std::filesystem::path dir_;
};

TEST_F(CsvTest, SklearnFormat) {
  Result<Dataset> d =
      LoadSklearnCsv(Write("ok.csv", "3,2,neg,pos\n1.5,-2,0\n\"3e2\",+4,1\r\n 5 ,6,1\n"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size(), 3);
  EXPECT_EQ(d->num_features(), 2);
  EXPECT_EQ(d->num_classes, 2);
  EXPECT_EQ(d->class_names, (std::vector<std::string>{"neg", "pos"}));
  EXPECT_EQ(d->feature_names, (std::vector<std::string>{"x0", "x1"}));
  EXPECT_FLOAT_EQ(d->x(1, 0), 300.0f);
  EXPECT_FLOAT_EQ(d->x(2, 0), 5.0f);
  EXPECT_FLOAT_EQ(d->x(0, 1), -2.0f);
  EXPECT_EQ(d->y, (Eigen::VectorXi(3) << 0, 1, 1).finished());
  EXPECT_EQ(d->ClassCounts(), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(d->Validate().ok());
}

TEST_F(CsvTest, SklearnErrorsAreNamed) {
  EXPECT_EQ(SklearnReason(""), "dataset.empty");
  EXPECT_EQ(SklearnReason("x,2,a,b\n1,2,0\n"), "dataset.bad_header");
  EXPECT_EQ(SklearnReason("1,2,onlyone\n1,2,0\n"), "dataset.bad_header");
  EXPECT_EQ(SklearnReason("2,2,a,b\n1,2,0\n"), "dataset.row_count");
  EXPECT_EQ(SklearnReason("1,2,a,b\n1,2,0\n3,4,1\n"), "dataset.row_count");
  EXPECT_EQ(SklearnReason("2,2,a,b\n1,2,0\n3,1\n"), "dataset.column_count");
  EXPECT_EQ(SklearnReason("2,2,a,b\n1,2,0\n3,4,1,9\n"), "dataset.column_count");
  EXPECT_EQ(SklearnReason("1,2,a,b\n1,abc,0\n"), "dataset.non_numeric");
  EXPECT_EQ(SklearnReason("1,2,a,b\n1,,0\n"), "dataset.non_numeric");
  EXPECT_EQ(SklearnReason("1,2,a,b\n1,nan,0\n"), "dataset.non_numeric");
  EXPECT_EQ(SklearnReason("1,2,a,b\n1,1e999,0\n"), "dataset.non_numeric");
  EXPECT_EQ(SklearnReason("1,2,a,b\n1,2,2\n"), "dataset.bad_label");
  EXPECT_EQ(SklearnReason("1,2,a,b\n1,2,0.5\n"), "dataset.bad_label");
  EXPECT_EQ(SklearnReason("1,2,a,b\n1,\"2,0\n"), "dataset.csv_syntax");
  EXPECT_EQ(LoadSklearnCsv(dir_ / "absent.csv").status().reason(), "file.not_found");
  // The message locates the cell.
  Status s = LoadSklearnCsv(Write("g.csv", "2,2,a,b\n1,2,0\n3,oops,1\n")).status();
  EXPECT_NE(s.message().find("record 3 column 2"), std::string::npos) << s.message();
}

TEST_F(CsvTest, GenericLoader) {
  auto path = Write("g.csv", "species,len,\"width, cm\"\ncat,1,2\ndog,3,4\ncat,5,6\n");
  Result<Dataset> d = LoadCsv(path, 0, true);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->feature_names, (std::vector<std::string>{"len", "width, cm"}));
  EXPECT_EQ(d->class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(d->y, (Eigen::VectorXi(3) << 0, 1, 0).finished());
  EXPECT_FLOAT_EQ(d->x(2, 1), 6.0f);

  Result<Dataset> n = LoadCsv(Write("n.csv", "1,2,0\n3,4,2\n"), -1, false);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->num_classes, 3);
  EXPECT_EQ(n->feature_names, (std::vector<std::string>{"x0", "x1"}));

  EXPECT_EQ(LoadCsv(Write("e.csv", "a,b\n"), -1, true).status().reason(), "dataset.empty");
  EXPECT_EQ(LoadCsv(Write("c.csv", "1,2,0\n3,0\n"), -1, false).status().reason(),
            "dataset.column_count");
  EXPECT_EQ(LoadCsv(Write("v.csv", "1,x,0\n"), -1, false).status().reason(), "dataset.non_numeric");
  EXPECT_EQ(LoadCsv(Write("h.csv", "1,2\n"), 5, false).status().reason(), "dataset.bad_header");
}

TEST_F(CsvTest, WriterRoundTripsThroughLoadCsv) {
  auto d = LoadCsv(Write("g.csv", "len,\"width, cm\",label\n20.29,0.1,1\n3,4e-07,0\n"), -1, true);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::string text = DatasetToCsv(*d);
  EXPECT_EQ(text, "len,\"width, cm\",label\n20.29,0.1,1\n3,4e-07,0\n");
  auto back = LoadCsv(Write("back.csv", text), -1, true);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->feature_names, d->feature_names);
  EXPECT_EQ(back->x, d->x);  // bit-identical floats
  EXPECT_EQ(back->y, d->y);
}

TEST(SklearnDataTest, BreastCancer) {
  if (!std::filesystem::exists(kBreastCancer)) {
    GTEST_SKIP() << kBreastCancer << " absent (apt install python3-sklearn)";
  }
  Result<Dataset> d = LoadSklearnCsv(kBreastCancer);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size(), 569);
  EXPECT_EQ(d->num_features(), 30);
  EXPECT_EQ(d->class_names, (std::vector<std::string>{"malignant", "benign"}));
  EXPECT_EQ(d->ClassCounts(), (std::vector<int64_t>{212, 357}));
  EXPECT_FLOAT_EQ(d->x(0, 0), 17.99f);
  EXPECT_FLOAT_EQ(d->x(568, 29), 0.07039f);
}

TEST(StandardizerTest, FitOnTrainApplyElsewhere) {
  Dataset train;
  train.x.resize(4, 2);
  train.x << 1, 5, 2, 5, 3, 5, 4, 5;  // second feature is constant
  train.y = Eigen::VectorXi::Zero(4);
  train.num_classes = 1;
  Result<Standardizer> s = Standardizer::Fit(train);
  ASSERT_TRUE(s.ok());
  EXPECT_FLOAT_EQ(s->mean[0], 2.5f);
  EXPECT_FLOAT_EQ(s->scale[0], std::sqrt(1.25f));
  EXPECT_FLOAT_EQ(s->scale[1], 1.0f);
  Result<Dataset> t = s->Transform(train);
  ASSERT_TRUE(t.ok());
  EXPECT_NEAR(t->x.col(0).mean(), 0.0f, 1e-6);
  EXPECT_NEAR((t->x.col(0).array().square().mean()), 1.0f, 1e-5);
  EXPECT_TRUE((t->x.col(1).array() == 0).all());

  Dataset other;
  other.x = Eigen::MatrixXf::Constant(1, 3, 1.0f);
  EXPECT_EQ(s->Apply(&other).reason(), "dataset.feature_mismatch");
  Dataset empty;
  EXPECT_EQ(Standardizer::Fit(empty).status().reason(), "dataset.empty");
}

}  // namespace
}  // namespace fedtee::model
