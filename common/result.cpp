// errno_error (see strata/common/result.hpp).
#include <cstring>

#include "strata/common/result.hpp"

namespace strata {

Error errno_error(std::string what, int number) {
    // The GNU strerror_r returns its text, which need not be the buffer.
    char buffer[256];
    const char* text = ::strerror_r(number, buffer, sizeof buffer);
    return Error{error_code_of_errno(number), std::move(what) + ": " + text};
}

}  // namespace strata
