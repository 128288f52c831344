// What every fuzz target shares: a check that stops the run (libFuzzer keeps the input as a
// crash, the replay program fails the test), and the ways one input is cut into pieces, for
// the parsers that must read the same bytes alike however the network splits them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace strata::fuzz {

/// Stops the run when `holds` is false: the input is a finding, whatever the sanitizers say.
inline void require(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

/// `bytes` cut into pieces of 1 to 64 bytes, their sizes drawn from `seed` (a small LCG: the
/// same input is always cut the same way, so a finding replays).
inline std::vector<std::string_view> pieces(std::string_view bytes, std::uint32_t seed) {
    std::vector<std::string_view> cut;
    std::uint32_t state = seed | 1U;
    while (!bytes.empty()) {
        state = state * 1664525U + 1013904223U;
        const std::size_t size = std::min<std::size_t>(bytes.size(), 1 + (state >> 26U));
        cut.push_back(bytes.substr(0, size));
        bytes.remove_prefix(size);
    }
    return cut;
}

/// `bytes` one byte at a time.
inline std::vector<std::string_view> single_bytes(std::string_view bytes) {
    std::vector<std::string_view> cut;
    cut.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i)
        cut.push_back(bytes.substr(i, 1));
    return cut;
}

/// A seed for `pieces` from the input itself.
inline std::uint32_t seed_of(std::string_view bytes) {
    std::uint32_t hash = 2166136261U;
    for (const char c : bytes)
        hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
    return hash;
}

}  // namespace strata::fuzz
