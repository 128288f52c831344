// Every number strata writes into G-code is in fixed notation: Marlin reads `X1e-04` as X1 and
// then an E word, an extrusion. Tiny, huge and negative values, and the check `strata verify`
// runs over the lines strata wrote.
#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <string>

#include "strata/common/gcode_number.hpp"

namespace strata {
namespace {

std::string exact(double value) {
    std::string out;
    append_gcode_number(out, value);
    return out;
}

std::string fixed(double value, int decimals) {
    std::string out;
    append_gcode_fixed(out, value, decimals);
    return out;
}

TEST(GcodeNumber, TinyHugeAndNegativeValuesAreWrittenWithoutAnExponent) {
    EXPECT_EQ(exact(0.0001), "0.0001");
    EXPECT_EQ(exact(5.551115123125783e-17), "0.00000000000000005551115123125783");
    EXPECT_EQ(exact(-0.0001), "-0.0001");
    EXPECT_EQ(exact(1e27), "1000000000000000013287555072");  // The double nearest 1e27.
    EXPECT_EQ(exact(-2.5e21), "-2500000000000000000000");
    EXPECT_EQ(exact(210.0), "210");
    EXPECT_EQ(exact(0.1), "0.1");
    EXPECT_EQ(exact(-0.0), "0");
    for (const double value :
         {std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
          std::numeric_limits<double>::denorm_min(), 1e-300, -1e-300, 123456789.123456789, 1e-5,
          3e-7}) {
        const std::string text = exact(value);
        SCOPED_TRACE(text);
        EXPECT_EQ(text.find_first_of("eE"), std::string::npos);
        EXPECT_FALSE(has_exponent_number("G1 X" + text));
        // Exact: the text reads back as the same double.
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), value);
    }
}

TEST(GcodeNumber, RoundedValuesKeepTheirPlacesAndNeverSayMinusZero) {
    EXPECT_EQ(fixed(1.5, 3), "1.500");
    EXPECT_EQ(fixed(-0.0001, 3), "0.000");
    EXPECT_EQ(fixed(-0.0006, 3), "-0.001");
    EXPECT_EQ(fixed(1e-17, 5), "0.00000");
    EXPECT_EQ(fixed(1e22, 1), "10000000000000000000000.0");
    EXPECT_EQ(fixed(6000.4, 0), "6000");
    EXPECT_EQ(gcode_number_short(2.0, 3), "2");
    EXPECT_EQ(gcode_number_short(-1.25, 3), "-1.25");
    EXPECT_EQ(gcode_number_short(-0.0002, 3), "0");
    EXPECT_EQ(gcode_number_short(100.0, 0), "100");
}

TEST(GcodeNumber, TheVerifierCheckFindsExponentsInCodeOnly) {
    EXPECT_TRUE(has_exponent_number("G1 X1e-04 Y2"));
    EXPECT_TRUE(has_exponent_number("G1 Z5.551115123125783e-17"));
    EXPECT_TRUE(has_exponent_number("M104 S2.1E+02"));
    EXPECT_TRUE(has_exponent_number("G1 X.5e3"));
    EXPECT_FALSE(has_exponent_number("G1 X0.0001 E-0.8 F2400"));
    EXPECT_FALSE(has_exponent_number("G1 X10 E2"));
    EXPECT_FALSE(has_exponent_number("G1 X1 ; 1e-04 in a comment"));
    EXPECT_FALSE(has_exponent_number("M118 E1"));
    EXPECT_FALSE(has_exponent_number(""));
}

}  // namespace
}  // namespace strata
