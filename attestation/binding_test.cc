#include "attestation/binding.h"

#include <gtest/gtest.h>

namespace fedtee::attestation {
namespace {

std::string Hex(const ReportData& rd) { return HexEncode(rd); }

// Expected values computed independently (Python hashlib) from the layout in
// docs/attestation.md.
TEST(BindingTest, KnownAnswer) {
  Bytes hpke(32, 0x01), curve(32, 0x02), receipt(91, 0x03), challenge(32, 0x04);
  EXPECT_EQ(Hex(BindReportData(hpke, curve, receipt, challenge)),
            "e544184dfe04e66be69861798fa95d38b0256de607ba2c80af91c30409120ea6"
            "ee60974c71ea2b061eea8c8e2061948e711bc93f16b92597df8e266a90dcd511");
  EXPECT_EQ(Hex(BindReportData({}, {}, {}, {})),
            "26c13f8c5cfee7700c91e44c41ee126988ea1249cdc076d5f00ecbc84d076a02"
            "63d2aa83e45f54dff6e0fa3a6cd9b974ab53864be896784ec7f81d1a1bc9eb72");
}

TEST(BindingTest, FieldBoundariesMatter) {
  // Moving a byte from one field to the next changes the result (length prefixes).
  Bytes a = {1, 2}, b = {3};
  Bytes a2 = {1}, b2 = {2, 3};
  EXPECT_NE(BindReportData(a, b, {}, {}), BindReportData(a2, b2, {}, {}));
  // Every field is bound.
  Bytes k(32, 7), c(32, 9);
  ReportData base = BindReportData(k, k, k, c);
  Bytes c2 = c;
  c2[31] ^= 1;
  EXPECT_NE(base, BindReportData(k, k, k, c2));
  EXPECT_NE(base, BindReportData(c2, k, k, c));
  EXPECT_NE(base, BindReportData(k, c2, k, c));
  EXPECT_NE(base, BindReportData(k, k, c2, c));
}

}  // namespace
}  // namespace fedtee::attestation
