// Runs the real `strata` binary as a child process, the way a script or the slicer hook does:
// its standard output captured, its exit code returned.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace strata::testing {

struct ChildRun {
    int exit_code = -1;
    std::string output;  ///< Standard output only; standard error goes to the test log.
};

inline ChildRun run_strata(const std::string& arguments) {
    const std::string command = std::string(STRATA_BINARY) + " " + arguments;
    ChildRun run;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    std::array<char, 4096> buffer{};
    for (std::size_t got = 0; (got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
        run.output.append(buffer.data(), got);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

inline std::string read_file_text(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    std::string text;
    if (file == nullptr) return text;
    std::array<char, 65536> buffer{};
    for (std::size_t got = 0; (got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0;)
        text.append(buffer.data(), got);
    std::fclose(file);
    return text;
}

inline std::string data_file(const std::string& name) {
    return (std::filesystem::path(STRATA_TEST_DATA_DIR) / name).string();
}

}  // namespace strata::testing
