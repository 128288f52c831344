// `strata print FILE --port PATH [--baud N] [--profile P.json] [--set k=v]... [--strategy S]`:
// a headless print with a progress line (percent, layer, ETA, temperatures). FILE is analysed
// first; with a timelapse profile it is prepared into an annotated job (beside it, removed
// afterwards) and the snapshots are honoured; without one it is sent command for command.
// Ctrl-C cancels the job (with the cancel script); a second Ctrl-C is an emergency stop. With
// cameras and --timelapse DIR, every snapshot is captured from all cameras at once, stored under
// DIR/frames/<file>_<start time>/ and rendered while the print runs into
// DIR/<file>_<start time>_<camera>.mp4.
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "strata/planner/prep.hpp"
#include "strata/printjob/print_job.hpp"
#include "strata/streamer/streamer.hpp"

namespace strata::cli {
namespace {

constexpr const char* usage_text =
    "usage: strata print FILE --port PATH|tcp://HOST:PORT [--baud N] [--profile P.json]\n"
    "           [--set key=value]... [--strategy auto|ping_pong|window|byte_counting|advanced_ok]\n"
    "           [--window N] [--rx-buffer BYTES]\n"
    "           [--camera URL | --camera-stream URL | --camera-script CMD\n"
    "            [--camera-delay S] [--camera-rotate 90|180|270] [--camera-flip h|v]]...\n"
    "           [--timelapse DIR [--frames keep|archive|remove]]\n";

struct PrintArguments {
    std::string file;
    std::string profile_path;
    std::vector<std::string> overrides;
    streamer::StreamerConfig config;
    std::vector<timelapse::CameraConfig> cameras;
    std::string timelapse_directory;
    timelapse::FramePolicy frame_policy = timelapse::FramePolicy::keep;
};

// Settings of the camera named last (--camera-delay, --camera-rotate, --camera-flip) and the
// frame policy; false when `argument` is none of them or its value is bad.
bool parse_camera_setting(const std::string& argument, const std::string& value,
                          PrintArguments& parsed, bool& known) {
    known = true;
    if (argument == "--frames") {
        const char* names[] = {"keep", "archive", "remove"};
        for (int i = 0; i < 3; ++i)
            if (value == names[i]) parsed.frame_policy = static_cast<timelapse::FramePolicy>(i);
        return value == "keep" || value == "archive" || value == "remove";
    }
    if (argument != "--camera-delay" && argument != "--camera-rotate" &&
        argument != "--camera-flip") {
        known = false;
        return false;
    }
    if (parsed.cameras.empty()) return false;
    timelapse::CameraConfig& camera = parsed.cameras.back();
    if (argument == "--camera-delay") {
        char* end = nullptr;
        camera.delay_s = std::strtod(value.c_str(), &end);
        return *end == '\0' && camera.delay_s >= 0.0 && camera.delay_s <= 60.0;
    }
    if (argument == "--camera-flip") {
        (value == "h" ? camera.transform.flip_horizontal : camera.transform.flip_vertical) = true;
        return value == "h" || value == "v";
    }
    const char* angles[] = {"0", "90", "180", "270"};
    for (int i = 0; i < 4; ++i)
        if (value == angles[i]) camera.transform.rotation = static_cast<timelapse::Rotation>(i);
    return value == "0" || value == "90" || value == "180" || value == "270";
}

// The camera options; false when `argument` is none of them.
bool parse_camera(const std::string& argument, const std::string& value, PrintArguments& parsed) {
    timelapse::CameraConfig camera;
    camera.name = "camera" + std::to_string(parsed.cameras.size());
    if (argument == "--camera") {
        camera.url = value;
    } else if (argument == "--camera-stream") {
        camera.kind = timelapse::CameraKind::mjpeg_stream;
        camera.url = value;
    } else if (argument == "--camera-script") {
        camera.kind = timelapse::CameraKind::script;
        camera.command = value;
        camera.timeout_s = 30.0;  // A DSLR takes its time.
    } else if (argument == "--timelapse") {
        parsed.timelapse_directory = value;
        return true;
    } else {
        return false;
    }
    parsed.cameras.push_back(camera);
    return true;
}

bool parse(const std::vector<std::string>& arguments, PrintArguments& parsed) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        if (argument.empty() || argument[0] != '-') {
            parsed.file = argument;
            continue;
        }
        if (i + 1 >= arguments.size()) {
            std::fprintf(stderr, "strata print: %s needs a value\n%s", argument.c_str(),
                         usage_text);
            return false;
        }
        const std::string& value = arguments[++i];
        auto& config = parsed.config;
        if (parse_camera(argument, value, parsed)) continue;
        bool camera_setting = false;
        if (parse_camera_setting(argument, value, parsed, camera_setting)) continue;
        if (camera_setting) {
            std::fprintf(stderr, "strata print: bad %s '%s' (after a camera)\n", argument.c_str(),
                         value.c_str());
            return false;
        }
        if (argument == "--port") {
            config.link.target = value;
        } else if (argument == "--baud") {
            config.link.baud = std::atoi(value.c_str());
        } else if (argument == "--profile") {
            parsed.profile_path = value;
        } else if (argument == "--set") {
            parsed.overrides.push_back(value);
        } else if (argument == "--strategy") {
            if (!streamer::parse_send_strategy(value, config.protocol.strategy)) {
                std::fprintf(stderr, "strata print: unknown strategy '%s'\n", value.c_str());
                return false;
            }
        } else if (argument == "--window") {
            config.protocol.window_lines = std::strtoul(value.c_str(), nullptr, 10);
        } else if (argument == "--rx-buffer") {
            config.protocol.rx_buffer_bytes = std::strtoul(value.c_str(), nullptr, 10);
        } else {
            std::fprintf(stderr, "strata print: unknown option '%s'\n%s", argument.c_str(),
                         usage_text);
            return false;
        }
    }
    if (parsed.file.empty() || parsed.config.link.target.empty()) {
        std::fputs(usage_text, stderr);
        return false;
    }
    if (!parsed.cameras.empty() && parsed.timelapse_directory.empty()) {
        std::fputs("strata print: cameras need --timelapse DIR for their frames and videos\n",
                   stderr);
        return false;
    }
    return true;
}

// Finishes the videos and says where they and the frames are, and how long after the print the
// videos were ready.
void finish_timelapse(printjob::PrintJob& job, std::chrono::steady_clock::time_point print_ended) {
    for (const timelapse::VideoOutcome& video : job.finish(true)) {
        const double wait_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - print_ended).count();
        if (video.result.status) {
            std::fprintf(stderr,
                         "strata print: timelapse %s: %llu frames, ready %.2f s after the print\n",
                         video.path.c_str(),
                         static_cast<unsigned long long>(video.result.frames_read), wait_s);
            std::fprintf(stderr, "strata print: frames of %s: %s\n", video.camera.c_str(),
                         job.frames_of(video.camera).c_str());
            if (!video.frame_policy)
                std::fprintf(stderr, "strata print: frames of %s left as they were: %s\n",
                             video.camera.c_str(), video.frame_policy.error().message.c_str());
        } else {
            std::fprintf(stderr, "strata print: timelapse %s: %s\n", video.camera.c_str(),
                         video.result.status.error().message.c_str());
        }
    }
}

// The timeline of a file sent as it is, from an analysis of it.
bool timeline_of(const std::string& file, streamer::JobTimeline& timeline, int& exit_status) {
    Result<streamer::JobTimeline> analyzed = printjob::analyze_as_is(file);
    if (!analyzed) {
        std::fprintf(stderr, "strata print: %s\n", analyzed.error().message.c_str());
        exit_status = analyzed.error().code == ErrorCode::invalid ? exit_code::not_gcode
                                                                  : exit_code::unreadable;
        return false;
    }
    timeline = std::move(*analyzed);
    return true;
}

// Prepares FILE into `job` with the profile; the job's index gives the timeline.
bool prepare(const PrintArguments& parsed, const std::string& job, streamer::JobTimeline& timeline,
             int& exit_status) {
    const Result<planner::TimelapseProfile> profile =
        planner::load_timelapse_profile_file(parsed.profile_path, parsed.overrides);
    if (!profile.ok()) {
        std::fprintf(stderr, "strata print: profile: %s\n", profile.error().message.c_str());
        exit_status = exit_code::usage;
        return false;
    }
    planner::PrepOptions options;
    options.profile = *profile;
    options.input_path = parsed.file;
    options.output_path = job;
    options.index_path = job + ".index.json";
    const planner::PrepResult result = planner::prep_file(options);
    if (!result.status) {
        std::fprintf(stderr, "strata print: prep: %s\n", result.status.error().message.c_str());
        exit_status = exit_code::not_plannable;
        return false;
    }
    Result<streamer::JobTimeline> loaded = streamer::load_job_timeline(options.index_path);
    if (!loaded) {
        std::fprintf(stderr, "strata print: %s\n", loaded.error().message.c_str());
        exit_status = exit_code::write_failed;
        return false;
    }
    timeline = std::move(*loaded);
    return true;
}

std::string clock_text(double seconds) {
    if (seconds < 0.0) return "--:--:--";
    const long total = std::lround(seconds);
    char text[32];
    std::snprintf(text, sizeof text, "%02ld:%02ld:%02ld", total / 3600, total / 60 % 60,
                  total % 60);
    return text;
}

void draw_status(const streamer::JobProgress& progress, const std::string& temperatures) {
    const int width = 30;
    const int filled = static_cast<int>(progress.percent / 100.0 * width);
    std::fprintf(stderr, "\r\033[K[%.*s%*s] %5.1f%%  layer %lld  z %.2f  ETA %s  %s", filled,
                 "##############################", width - filled, "", progress.percent,
                 static_cast<long long>(progress.layer) + 1, progress.z_mm,
                 clock_text(progress.remaining_s).c_str(), temperatures.c_str());
    std::fflush(stderr);
}

std::string temperatures_text(const streamer::StreamerEvent& event) {
    std::string text;
    for (std::uint8_t i = 0; i < event.heater_count; ++i) {
        const streamer::HeaterReading& heater = event.heaters[i];
        char part[48];
        std::snprintf(part, sizeof part, "%c %.0f/%.0f  ", heater.heater, heater.actual_c,
                      heater.target_c.value_or(0.0));
        text += part;
    }
    return text;
}

// Follows the job to its end; Ctrl-C cancels, a second one stops the printer at once.
int follow(streamer::Streamer& printer, int signals) {
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    std::string temperatures;
    int interrupts = 0;
    for (;;) {
        pollfd waiting{signals, POLLIN, 0};
        if (::poll(&waiting, 1, 0) > 0) {
            signalfd_siginfo info{};
            (void)!::read(signals, &info, sizeof info);
            if (++interrupts == 1) {
                std::fputs("\nstrata print: cancelling (Ctrl-C again: emergency stop)\n", stderr);
                printer.cancel();
            } else {
                printer.emergency_stop();
            }
        }
        streamer::StreamerEvent event;
        if (!printer.wait_event(event, 0.1)) continue;
        switch (event.kind) {
            case streamer::EventKind::temperatures: temperatures = temperatures_text(event); break;
            case streamer::EventKind::progress:
                if (terminal) draw_status(event.progress, temperatures);
                break;
            case streamer::EventKind::snapshot:
                if (!event.ok) std::fprintf(stderr, "\nstrata print: %s\n", event.text.c_str());
                break;
            case streamer::EventKind::job_finished:
                std::fprintf(stderr, "\nstrata print: %s in %s\n", event.text.c_str(),
                             clock_text(event.progress.elapsed_s).c_str());
                return exit_code::ok;
            case streamer::EventKind::job_cancelled:
                std::fputs("\nstrata print: cancelled\n", stderr);
                return exit_code::print_failed;
            case streamer::EventKind::job_failed:
            case streamer::EventKind::job_interrupted:
                std::fprintf(stderr, "\nstrata print: the print failed: %s\n", event.text.c_str());
                return exit_code::print_failed;
            case streamer::EventKind::message:
            case streamer::EventKind::error:
            case streamer::EventKind::link_lost:
                std::fprintf(stderr, "\nstrata print: %s\n", event.text.c_str());
                break;
            default: break;
        }
    }
}

}  // namespace

int run_print(const std::vector<std::string>& arguments) {
    PrintArguments parsed;
    if (!parse(arguments, parsed)) return exit_code::usage;
    sigset_t interrupt;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    pthread_sigmask(SIG_BLOCK, &interrupt, nullptr);  // Before the streamer's threads start.
    const int signals = ::signalfd(-1, &interrupt, SFD_CLOEXEC);

    streamer::JobTimeline timeline;
    std::string job = parsed.file;
    int exit_status = exit_code::ok;
    if (!parsed.profile_path.empty()) {
        job = parsed.file + ".strata-print.gcode";
        if (!prepare(parsed, job, timeline, exit_status)) return exit_status;
    } else if (!timeline_of(parsed.file, timeline, exit_status)) {
        return exit_status;
    }
    printjob::fit_capture_timeout(parsed.config, parsed.cameras);
    streamer::Streamer printer(parsed.config);
    if (const Status connected = printer.connect(); !connected) {
        std::fprintf(stderr, "strata print: %s\n", connected.error().message.c_str());
        exit_status = exit_code::link_failed;
    } else {
        printjob::JobSpec spec{parsed.file, job, std::move(timeline), {}};
        spec.timelapse.cameras = parsed.cameras;
        spec.timelapse.directory = parsed.timelapse_directory;
        spec.timelapse.frame_policy = parsed.frame_policy;
        printjob::PrintJob print(printer, std::move(spec));
        if (const Status started = print.start(); !started) {
            std::fprintf(stderr, "strata print: %s\n", started.error().message.c_str());
            exit_status = exit_code::print_failed;
        } else {
            exit_status = follow(printer, signals);
            const auto print_ended = std::chrono::steady_clock::now();
            finish_timelapse(print, print_ended);
        }
    }
    if (job != parsed.file) {
        std::remove(job.c_str());
        std::remove((job + ".index.json").c_str());
    }
    ::close(signals);
    return exit_status;
}

}  // namespace strata::cli
