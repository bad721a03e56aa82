#include "model/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace fedtee::model {
namespace {

ModelParams TwoTensors() {
  ModelParams p;
  EXPECT_TRUE(p.Add({"fc1.weight", {2, 3}, {1, 2, 3, 4, 5, 6}}).ok());
  EXPECT_TRUE(p.Add({"fc1.bias", {2}, {7, 8}}).ok());
  return p;
}

TEST(ModelParamsTest, AddValidatesNamesShapesAndDuplicates) {
  ModelParams p = TwoTensors();
  EXPECT_EQ(p.Add({"fc1.bias", {1}, {0}}).reason(), "model.duplicate_name");
  EXPECT_EQ(p.Add({"bad name", {1}, {0}}).reason(), "model.bad_name");
  EXPECT_EQ(p.Add({"", {1}, {0}}).reason(), "model.bad_name");
  EXPECT_EQ(p.Add({"x", {2}, {0}}).reason(), "model.bad_shape");
  EXPECT_EQ(p.Add({"x", {-1}, {}}).reason(), "model.bad_shape");
  EXPECT_TRUE(p.Add({"layers/0-scale_x", {}, {1}}).ok());  // scalar, every allowed character
  EXPECT_EQ(p.size(), 3u);
  EXPECT_EQ(p.total_params(), 9u);
}

TEST(ModelParamsTest, LookupAndLayout) {
  ModelParams p = TwoTensors();
  ASSERT_NE(p.Find("fc1.bias"), nullptr);
  EXPECT_EQ(p.Find("fc1.bias")->data[1], 8);
  EXPECT_EQ(p.Find("nope"), nullptr);
  EXPECT_EQ(p.Get("nope").status().reason(), "model.tensor_not_found");
  p.MutableData("fc1.bias")[0] = 9;
  EXPECT_EQ((*p.Get("fc1.bias"))->data[0], 9);

  ModelParams q = TwoTensors();
  EXPECT_TRUE(p.SameLayout(q));
  ModelParams reordered;
  ASSERT_TRUE(reordered.Add(q[1]).ok());
  ASSERT_TRUE(reordered.Add(q[0]).ok());
  EXPECT_FALSE(p.SameLayout(reordered));
  ModelParams reshaped;
  ASSERT_TRUE(reshaped.Add({"fc1.weight", {3, 2}, {1, 2, 3, 4, 5, 6}}).ok());
  ASSERT_TRUE(reshaped.Add(q[1]).ok());
  EXPECT_FALSE(p.SameLayout(reshaped));
  EXPECT_NE(p.LayoutDifference(reshaped).find("shape"), std::string::npos);
}

TEST(ModelParamsTest, FlattenUnflattenRoundTrip) {
  ModelParams p = TwoTensors();
  std::vector<float> flat = p.Flatten();
  EXPECT_EQ(flat, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  for (float& v : flat) v *= 2;
  ASSERT_TRUE(p.Unflatten(flat).ok());
  EXPECT_EQ(p[1].data, (std::vector<float>{14, 16}));
  flat.pop_back();
  EXPECT_EQ(p.Unflatten(flat).reason(), "model.size_mismatch");
  EXPECT_EQ(p[1].data, (std::vector<float>{14, 16}));
}

TEST(ModelParamsTest, CheckFiniteNamesTensorAndIndex) {
  ModelParams p = TwoTensors();
  EXPECT_TRUE(p.CheckFinite().ok());
  p.mutable_data(0)[4] = std::numeric_limits<float>::quiet_NaN();
  Status s = p.CheckFinite();
  EXPECT_EQ(s.reason(), "model.non_finite");
  EXPECT_NE(s.message().find("fc1.weight"), std::string::npos);
  EXPECT_NE(s.message().find("index 4"), std::string::npos);
  p.mutable_data(0)[4] = 0;
  p.mutable_data(1)[1] = -std::numeric_limits<float>::infinity();
  EXPECT_NE(p.CheckFinite().message().find("fc1.bias"), std::string::npos);
}

TEST(ModelParamsTest, DeltaAndAddScaled) {
  ModelParams before = TwoTensors();
  ModelParams after = before;
  after.mutable_data(0)[0] = 3;  // +2
  after.mutable_data(1)[1] = 5;  // -3
  Result<ModelParams> delta = Delta(after, before);
  ASSERT_TRUE(delta.ok());
  EXPECT_EQ(delta->Flatten(), (std::vector<float>{2, 0, 0, 0, 0, 0, 0, -3}));
  EXPECT_DOUBLE_EQ(L2Norm(*delta), std::sqrt(13.0));
  ModelParams p = before;
  ASSERT_TRUE(AddScaled(p, *delta, 1.0f).ok());
  EXPECT_EQ(p.Flatten(), after.Flatten());
  ASSERT_TRUE(AddScaled(p, *delta, -0.5f).ok());
  EXPECT_FLOAT_EQ(p[0].data[0], 2);
  ModelParams other;
  ASSERT_TRUE(other.Add({"w", {1}, {0}}).ok());
  EXPECT_EQ(Delta(after, other).status().reason(), "model.layout_mismatch");
  EXPECT_EQ(AddScaled(p, other, 1).reason(), "model.layout_mismatch");
  EXPECT_EQ(before.Filled(0.5f).Flatten(), std::vector<float>(8, 0.5f));
}

}  // namespace
}  // namespace fedtee::model
