// Whether the shared G-code corpus must be there. A developer's fresh clone may lack ../shared
// and then skips the corpus tests (the bundled tests/data files still run); CI sets
// STRATA_REQUIRE_CORPUS=1 so that a missing corpus fails instead of skipping silently.
#pragma once

#include <cstdlib>
#include <string_view>

namespace strata::testing_support {

inline bool corpus_required() {
    const char* value = std::getenv("STRATA_REQUIRE_CORPUS");
    return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

}  // namespace strata::testing_support

/// Skips the current test when the corpus is missing, or fails it when the corpus is required.
#define STRATA_SKIP_OR_FAIL_WITHOUT_CORPUS(where)                                                 \
    do {                                                                                          \
        if (::strata::testing_support::corpus_required()) {                                       \
            FAIL() << "the corpus is required (STRATA_REQUIRE_CORPUS) but absent at " << (where); \
        }                                                                                         \
        GTEST_SKIP() << "corpus absent at " << (where);                                           \
    } while (false)
