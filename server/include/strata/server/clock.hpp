// Wall-clock time as the store records it: seconds since the Unix epoch, as a double.
#pragma once

#include <chrono>

namespace strata::server {

inline double unix_now_s() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace strata::server
