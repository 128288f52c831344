// Test helpers for the print-time estimator: a file, or a text written to a file, estimated in
// one analysis pass as `strata analyze` does it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "../support/result.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/planner/print_time.hpp"

namespace strata::planner {

struct Estimated {
    parser::Analysis analysis;
    PrintTimeEstimate time;
};

inline Estimated estimate_file(const std::string& path, const PrintTimeOptions& options_in = {}) {
    PrintTimeEstimator estimator(options_in);
    parser::AnalysisOptions options;
    attach(estimator, options);
    Result<parser::Analysis> result = parser::analyze_file(path, options);
    EXPECT_TRUE(testing::ok(result));
    return {result.ok() ? std::move(result).value() : parser::Analysis{}, estimator.finish()};
}

inline Estimated estimate_text(const std::string& name, const std::string& gcode) {
    const auto path = std::filesystem::temp_directory_path() / ("strata_time_" + name + ".gcode");
    std::ofstream(path) << gcode;
    return estimate_file(path.string());
}

}  // namespace strata::planner
