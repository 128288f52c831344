// Latency spreads for the benchmark programs: the median, the 99th percentile and the worst of a
// set of samples in milliseconds.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace strata::benchmarks {

struct Spread {
    double p50_ms = 0.0;
    double p99_ms = 0.0;
    double max_ms = 0.0;
    std::size_t samples = 0;
};

inline Spread spread_of(std::vector<double> values_ms) {
    Spread spread;
    spread.samples = values_ms.size();
    if (values_ms.empty()) return spread;
    std::sort(values_ms.begin(), values_ms.end());
    spread.p50_ms = values_ms[values_ms.size() / 2];
    spread.p99_ms = values_ms[std::min(values_ms.size() - 1, values_ms.size() * 99 / 100)];
    spread.max_ms = values_ms.back();
    return spread;
}

}  // namespace strata::benchmarks
