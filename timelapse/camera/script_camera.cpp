// ScriptCamera: runs the configured command with /bin/sh in its own process group, the JPEG's
// path as $1, and kills the whole group at the deadline (gphoto2 and friends can hang on a
// camera that went to sleep). The last line the script wrote to stderr goes into the error.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "cameras.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere.

namespace strata::timelapse::camera {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string last_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    const std::size_t newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
}

// The environment for the child, built before fork: only async-signal-safe calls after it.
std::vector<std::string> child_environment(const CameraConfig& config, std::uint32_t snapshot) {
    std::vector<std::string> variables;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view variable(*entry);
        if (variable.rfind("STRATA_SNAPSHOT_NUMBER=", 0) != 0 &&
            variable.rfind("STRATA_CAMERA_NAME=", 0) != 0)
            variables.emplace_back(variable);
    }
    variables.push_back("STRATA_SNAPSHOT_NUMBER=" + std::to_string(snapshot));
    variables.push_back("STRATA_CAMERA_NAME=" + config.name);
    return variables;
}

struct Scratch {
    std::filesystem::path directory;
    Scratch() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "strata_script_camera_XXXXXX").string();
        if (::mkdtemp(pattern.data()) != nullptr) directory = pattern;
    }
    ~Scratch() {
        std::error_code ignored;
        if (!directory.empty()) std::filesystem::remove_all(directory, ignored);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
};

// Starts the script in a process group of its own; -1 when fork failed.
pid_t spawn(const std::string& command, const std::string& image, const std::string& errors,
            const std::vector<std::string>& environment) {
    std::vector<char*> envp;
    envp.reserve(environment.size() + 1);
    for (const std::string& variable : environment)
        envp.push_back(const_cast<char*>(variable.c_str()));
    envp.push_back(nullptr);
    const pid_t child = ::fork();
    if (child == 0) {
        ::setpgid(0, 0);
        const int null = ::open("/dev/null", O_RDWR);
        const int error_file = ::open(errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(error_file, STDERR_FILENO);
        ::execle("/bin/sh", "sh", "-c", command.c_str(), "strata-camera", image.c_str(), nullptr,
                 envp.data());
        ::_exit(127);
    }
    if (child > 0) ::setpgid(child, child);  // Also here: the group exists before any kill.
    return child;
}

// Waits for `child` until `deadline`; false (the whole group killed) when it ran over.
bool wait_until_done(pid_t child, Clock::time_point deadline, int& status) {
    pid_t waited = 0;
    while ((waited = ::waitpid(child, &status, WNOHANG)) == 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (waited != 0) return true;
    ::kill(-child, SIGKILL);
    ::waitpid(child, &status, 0);
    return false;
}

}  // namespace

Result<CapturedFrame> ScriptCamera::capture(Clock::time_point not_before, std::uint32_t snapshot) {
    wait_until(not_before);
    const auto started = Clock::now();
    const Scratch scratch;
    if (scratch.directory.empty()) return failure(ErrorCode::io, "cannot make a scratch directory");
    const std::string image = (scratch.directory / "snapshot.jpg").string();
    const std::string errors = (scratch.directory / "stderr.txt").string();
    const pid_t child =
        spawn(config().command, image, errors, child_environment(config(), snapshot));
    if (child < 0)
        return failure(ErrorCode::io,
                       std::string("cannot start the script: ") + std::strerror(errno));
    const auto deadline = started + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(config().timeout_s));
    int status = 0;
    const bool finished = wait_until_done(child, deadline, status);
    CapturedFrame frame;
    frame.latency_s = std::chrono::duration<double>(Clock::now() - started).count();
    if (!finished)
        return failure(ErrorCode::unavailable,
                       "the script did not finish within " + seconds_text(config().timeout_s));
    const std::string complaint = last_line(read_file(errors));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return failure(ErrorCode::unavailable, "the script failed with status " +
                                                   std::to_string(code) +
                                                   (complaint.empty() ? "" : ": " + complaint));
    }
    frame.jpeg = read_file(image);
    if (frame.jpeg.empty()) return failure(ErrorCode::invalid, "the script wrote no image to $1");
    if (!is_whole_jpeg(frame.jpeg))
        return failure(ErrorCode::invalid, "the script wrote a broken JPEG (" +
                                               std::to_string(frame.jpeg.size()) + " bytes)");
    return frame;
}

}  // namespace strata::timelapse::camera
