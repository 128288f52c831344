// The VM's steal, for benchmarks to print beside their figures: time the hypervisor gave to
// others inflates every CPU measurement taken meanwhile.
#pragma once

#include <unistd.h>

#include <fstream>
#include <string>

namespace strata::bench {

/// Seconds of CPU the hypervisor took from this VM, all CPUs together (/proc/stat's steal).
inline double steal_s() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    double ticks[8] = {};
    stat >> cpu;
    for (double& tick : ticks)
        stat >> tick;
    return ticks[7] / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace strata::bench
