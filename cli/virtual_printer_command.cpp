// `strata virtual-printer [options]`: a Marlin-like printer on a pty for demos, tests and people
// without a printer at hand. Prints the pty's path (and links it where asked), then runs until
// SIGINT or SIGTERM, read from a signalfd so no handler and no global is needed. With --webcam
// it also serves the virtual camera's picture of the print (`/snapshot`, `/stream`) on loopback.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "strata/streamer/virtual_printer.hpp"
#include "virtual_webcam.hpp"

namespace strata::cli {
namespace {

constexpr const char* usage_text =
    "usage: strata virtual-printer [--link PATH] [--baud N] [--time-scale X] [--advanced-ok]\n"
    "           [--rx-buffer BYTES] [--bufsize N] [--planner-blocks N] [--seed N]\n"
    "           [--fault KIND=RATE]...   (KIND: corrupt_line rx_overrun drop_ok duplicate_ok\n"
    "            spurious_resend busy error_halt reset disconnect thermal_runaway)\n"
    "           [--webcam PORT] [--webcam-size WxH] [--bed XxY] [--webcam-follows-z]\n";

struct Webcam {
    int port = -1;  ///< -1: none; 0: any free port.
    int width_px = 640;
    int height_px = 480;
    timelapse::BedArea bed{0.0, 250.0, 0.0, 210.0};
    bool follows_z = false;
};

// The webcam's options; false when `argument` is not one of them or its value is bad.
bool parse_webcam(const std::string& argument, const std::string& value, Webcam& webcam,
                  bool& known) {
    known = true;
    double x = 0.0;
    double y = 0.0;
    char separator = 0;
    if (argument == "--webcam") {
        webcam.port = std::atoi(value.c_str());
        return webcam.port >= 0 && webcam.port < 65536;
    }
    if (argument == "--webcam-size" || argument == "--bed") {
        if (std::sscanf(value.c_str(), "%lf%c%lf", &x, &separator, &y) != 3 || separator != 'x' ||
            x < 16 || y < 16 || x > 8192 || y > 8192)
            return false;
        if (argument == "--bed") {
            webcam.bed = {0.0, x, 0.0, y};
        } else {
            webcam.width_px = static_cast<int>(x);
            webcam.height_px = static_cast<int>(y);
        }
        return true;
    }
    known = false;
    return false;
}

bool set_fault(streamer::FaultRates& faults, const std::string& setting) {
    const std::size_t equals = setting.find('=');
    if (equals == std::string::npos) return false;
    const std::string kind = setting.substr(0, equals);
    char* end = nullptr;
    const double rate = std::strtod(setting.c_str() + equals + 1, &end);
    if (*end != '\0' || rate < 0.0 || rate > 1.0) return false;
    const std::vector<std::pair<const char*, double*>> kinds = {
        {"corrupt_line", &faults.corrupt_line},
        {"rx_overrun", &faults.rx_overrun},
        {"drop_ok", &faults.drop_ok},
        {"duplicate_ok", &faults.duplicate_ok},
        {"spurious_resend", &faults.spurious_resend},
        {"busy", &faults.busy},
        {"error_halt", &faults.error_halt},
        {"reset", &faults.reset},
        {"disconnect", &faults.disconnect},
        {"thermal_runaway", &faults.thermal_runaway}};
    for (const auto& [name, slot] : kinds) {
        if (kind == name) {
            *slot = rate;
            return true;
        }
    }
    return false;
}

bool parse(const std::vector<std::string>& arguments, streamer::VirtualPrinterConfig& config,
           std::string& link, Webcam& webcam) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        const bool has_value = i + 1 < arguments.size();
        const std::string value = has_value ? arguments[i + 1] : std::string();
        const auto number = [&] { return std::strtod(value.c_str(), nullptr); };
        const auto count = [&] {
            return static_cast<std::size_t>(std::strtoul(value.c_str(), nullptr, 10));
        };
        if (argument == "--advanced-ok" || argument == "--webcam-follows-z") {
            (argument == "--advanced-ok" ? config.advanced_ok : webcam.follows_z) = true;
            continue;
        }
        if (!has_value) {
            std::fprintf(stderr, "strata virtual-printer: %s needs a value\n%s", argument.c_str(),
                         usage_text);
            return false;
        }
        ++i;
        bool webcam_option = false;
        if (parse_webcam(argument, value, webcam, webcam_option)) continue;
        if (webcam_option) {
            std::fprintf(stderr, "strata virtual-printer: bad %s '%s'\n", argument.c_str(),
                         value.c_str());
            return false;
        }
        if (argument == "--link") {
            link = value;
        } else if (argument == "--baud") {
            config.baud = static_cast<int>(number());
        } else if (argument == "--time-scale") {
            config.time_scale = number();
        } else if (argument == "--rx-buffer") {
            config.rx_buffer_bytes = count();
        } else if (argument == "--bufsize") {
            config.command_slots = count();
        } else if (argument == "--planner-blocks") {
            config.planner_blocks = count();
        } else if (argument == "--seed") {
            config.seed = count();
        } else if (argument == "--fault") {
            if (!set_fault(config.faults, value)) {
                std::fprintf(stderr, "strata virtual-printer: bad --fault '%s'\n%s", value.c_str(),
                             usage_text);
                return false;
            }
        } else {
            std::fprintf(stderr, "strata virtual-printer: unknown option '%s'\n%s",
                         argument.c_str(), usage_text);
            return false;
        }
    }
    if (config.rx_buffer_bytes < 16 || config.command_slots < 1 || config.planner_blocks < 2) {
        std::fprintf(stderr,
                     "strata virtual-printer: --rx-buffer >= 16, --bufsize >= 1 and "
                     "--planner-blocks >= 2 are needed\n");
        return false;
    }
    return true;
}

}  // namespace

int run_virtual_printer(const std::vector<std::string>& arguments) {
    streamer::VirtualPrinterConfig config;
    std::string link;
    Webcam webcam_options;
    if (!parse(arguments, config, link, webcam_options)) return exit_code::usage;
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // Before any thread starts.
    streamer::VirtualPrinter printer(config);
    if (const Status started = printer.start(); !started) {
        std::fprintf(stderr, "strata virtual-printer: %s\n", started.error().message.c_str());
        return exit_code::link_failed;
    }
    if (!link.empty()) {
        std::error_code ignored;
        std::filesystem::remove(link, ignored);
        std::filesystem::create_symlink(printer.path(), link, ignored);
        if (ignored) {
            std::fprintf(stderr, "strata virtual-printer: cannot link %s: %s\n", link.c_str(),
                         ignored.message().c_str());
            return exit_code::link_failed;
        }
    }
    std::printf("%s\n", printer.path().c_str());
    std::unique_ptr<VirtualWebcam> webcam;
    if (webcam_options.port >= 0) {
        timelapse::ViewPoint view = timelapse::front_view(
            webcam_options.bed, webcam_options.width_px, webcam_options.height_px);
        view.follows_z = webcam_options.follows_z;
        webcam = std::make_unique<VirtualWebcam>(printer, webcam_options.bed, view);
        if (const Status started = webcam->start("127.0.0.1", webcam_options.port); !started) {
            std::fprintf(stderr, "strata virtual-printer: %s\n", started.error().message.c_str());
            return exit_code::link_failed;
        }
        std::printf("webcam: %s %s\n", webcam->snapshot_url().c_str(),
                    webcam->stream_url().c_str());
    }
    std::fflush(stdout);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (webcam) webcam->stop();
    printer.stop();
    if (!link.empty()) std::filesystem::remove(link);
    const streamer::LiveState state = printer.state();
    std::fprintf(stderr, "strata virtual-printer: %llu commands executed, %llu resend requests\n",
                 static_cast<unsigned long long>(state.executed),
                 static_cast<unsigned long long>(state.resend_requests));
    return exit_code::ok;
}

}  // namespace strata::cli
