// Command-line flags of the benchmark programs: `--name value` pairs, each value checked. An
// unknown flag, a missing value or a value its flag refuses ends the program with the usage
// (exit status 2) rather than running a benchmark other than the one asked for; `--help` prints
// the usage and exits 0.
#pragma once

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace strata::benchmarks {

struct Flag {
    std::string_view name;  ///< With its dashes: "--rounds".
    /// Takes the value; false when it is not one the flag accepts.
    std::function<bool(const std::string&)> set;
};

/// A whole decimal integer of at least `minimum`.
inline bool read_int(const std::string& text, int minimum, int& out) {
    int value = 0;
    const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (failure != std::errc() || end != text.data() + text.size() || value < minimum) return false;
    out = value;
    return true;
}

/// A whole decimal number of at least `minimum`.
inline bool read_double(const std::string& text, double minimum, double& out) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(value >= minimum)) return false;
    out = value;
    return true;
}

[[noreturn]] inline void usage_error(const std::string& why, std::string_view usage) {
    std::fprintf(stderr, "%s\nusage: %.*s\n", why.c_str(), static_cast<int>(usage.size()),
                 usage.data());
    std::exit(2);
}

inline void parse_flags(int argc, char** argv, std::initializer_list<Flag> flags,
                        std::string_view usage) {
    for (int i = 1; i < argc; i += 2) {
        const std::string_view name = argv[i];
        if (name == "--help" || name == "-h") {
            std::printf("usage: %.*s\n", static_cast<int>(usage.size()), usage.data());
            std::exit(0);
        }
        const Flag* flag = nullptr;
        for (const Flag& candidate : flags)
            if (candidate.name == name) flag = &candidate;
        if (flag == nullptr) usage_error("unknown option " + std::string(name), usage);
        if (i + 1 >= argc) usage_error(std::string(name) + " needs a value", usage);
        if (!flag->set(argv[i + 1]))
            usage_error("bad value for " + std::string(name) + ": '" + argv[i + 1] + "'", usage);
    }
}

}  // namespace strata::benchmarks
