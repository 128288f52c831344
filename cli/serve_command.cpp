// `strata serve [--config FILE] [--listen ADDR:PORT] [--data DIR] [--port DEVICE] [--baud N]
// [--camera URL]... [--threads N] [--demo [--demo-file F]]`: the REST API and the print pipeline
// until SIGINT or SIGTERM. It listens on 127.0.0.1:5000 unless told otherwise and refuses to
// start before an admin exists. The configuration file (serve_config.hpp) is read first and the
// options win over it; `--check-config` reads both, checks them and prints the settings in
// effect, without serving. Under systemd (`Type=notify`) it says when it is ready and when it
// stops, and offers OctoPrint's `core/restart`: SIGUSR2 to itself, then exit code 75, which
// the unit restarts on. `--demo` brings its own printer: the virtual printer and its webcam
// in-process, a fresh data directory (unless --data), a demo admin printed once, the sample G-code
// loaded and the printer connected.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "serve_config.hpp"
#include "service_notify.hpp"
#include "strata/common/log.hpp"
#include "strata/server/accounts.hpp"
#include "strata/server/announcer.hpp"
#include "strata/server/library.hpp"
#include "strata/server/server.hpp"
#include "strata/streamer/virtual_printer.hpp"
#include "virtual_webcam.hpp"

namespace strata::cli {
namespace {

/// What the API's restart raises (see run_serve).
constexpr int restart_signal = SIGUSR2;

constexpr const char* usage_text =
    "usage: strata serve [--config FILE] [--check-config [--quiet]] [--listen ADDR:PORT]\n"
    "           [--data DIR] [--port DEVICE|tcp://HOST:PORT] [--baud N] [--camera URL]...\n"
    "           [--threads N] [--max-upload-mb N] [--web-root DIR] [--demo [--demo-file FILE]]\n"
    "  --config  a configuration file (the package's: /etc/strata/strata.toml); options win\n"
    "  --check-config  check the file and the options, print the settings in effect, exit\n"
    "  --listen  where to listen (default 127.0.0.1:5000; 0.0.0.0:5000 for the network)\n"
    "  --data    the data directory (default $STRATA_DATA, else ~/.local/share/strata)\n"
    "  --max-upload-mb  the largest G-code file an upload may carry (default 1024)\n"
    "  --web-root  serve the web app from DIR (a built web/dist) instead of the built-in one\n";

// The source tree's sample when strata runs from its build, else the installed copy beside the
// binary's prefix (/usr/bin/strata: /usr/share/strata/demo-cube.gcode).
std::string demo_sample() {
    std::error_code error;
    if (std::filesystem::exists(STRATA_DEMO_SAMPLE, error)) return STRATA_DEMO_SAMPLE;
    const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
    return (binary.parent_path().parent_path() / "share" / "strata" / "demo-cube.gcode").string();
}

struct ServeArguments {
    server::ServerConfig config;
    bool demo = false;
    std::string demo_file = demo_sample();
    bool data_given = false;
    bool check_only = false;
    bool quiet = false;
};

bool refuse(const std::string& why) {
    std::fprintf(stderr, "strata serve: %s\n", why.c_str());
    return false;
}

// The options that take a value.
bool apply_option(const std::string& option, const std::string& value, ServeArguments& parsed) {
    server::ServerConfig& config = parsed.config;
    if (option == "--listen") {
        const Status parsed_listen = parse_listen(value, config);
        return parsed_listen || refuse("--listen " + parsed_listen.error().message);
    }
    if (option == "--data") {
        config.data_directory = value;
        parsed.data_given = true;
    } else if (option == "--port") {
        config.printer.streamer.link.target = value;
    } else if (option == "--baud") {
        config.printer.streamer.link.baud = std::atoi(value.c_str());
    } else if (option == "--max-upload-mb") {
        char* end = nullptr;
        const unsigned long long megabytes = std::strtoull(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || megabytes == 0 || megabytes > 1'000'000)
            return refuse("--max-upload-mb wants 1 to 1000000, not '" + value + "'");
        config.max_upload_bytes = megabytes << 20U;
    } else if (option == "--web-root") {
        config.web_root = value;
    } else if (option == "--threads") {
        config.http.threads = static_cast<unsigned>(std::atoi(value.c_str()));
    } else if (option == "--camera") {
        timelapse::CameraConfig camera;
        camera.name = "camera" + std::to_string(config.printer.cameras.size());
        camera.url = value;
        config.printer.cameras.push_back(camera);
    } else if (option == "--demo-file") {
        parsed.demo_file = value;
    } else if (option != "--config") {  // Read before the others.
        std::fprintf(stderr, "strata serve: unknown option '%s'\n%s", option.c_str(), usage_text);
        return false;
    }
    return true;
}

bool parse(const std::vector<std::string>& arguments, ServeArguments& parsed) {
    server::ServerConfig& config = parsed.config;
    config.data_directory = default_data_directory();
    for (std::size_t i = 0; i + 1 < arguments.size(); ++i) {
        if (arguments[i] != "--config") continue;
        if (const Status read = apply_config_file(arguments[i + 1], config); !read)
            return refuse(read.error().message);
    }
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        if (argument == "--demo") {
            parsed.demo = true;
            continue;
        }
        if (argument == "--check-config") {
            parsed.check_only = true;
            continue;
        }
        if (argument == "--quiet") {
            parsed.quiet = true;
            continue;
        }
        if (i + 1 >= arguments.size()) {
            std::fprintf(stderr, "strata serve: %s needs a value\n%s", argument.c_str(),
                         usage_text);
            return false;
        }
        if (!apply_option(argument, arguments[++i], parsed)) return false;
    }
    config.printer.timelapse_directory = config.data_directory / "timelapse";
    return true;
}

// The announcement on the network, when the server can be reached from it. A failure to announce
// is reported, not fatal: the server serves all the same.
void announce(const server::ServerConfig& config, std::uint16_t port,
              server::Announcer& announcer) {
    if (!config.discovery.announce) return;
    if (server::is_loopback_address(config.http.address)) {
        log_message(LogLevel::info,
                    "strata serve: not announced on the network: it listens on %s only",
                    config.http.address.c_str());
        return;
    }
    server::Announcement announcement;
    announcement.name = config.discovery.name;
    if (announcement.name.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        announcement.name = std::string("strata on ") + host;
    }
    announcement.port = port;
    announcement.octoprint_version = server::octoprint_server_version;
    announcement.api_version = server::octoprint_api_version;
    Result<std::string> id = server::instance_id(config.data_directory.string());
    if (id) announcement.uuid = *id;
    if (!id) log_message(LogLevel::warning, "strata serve: %s", id.error().message.c_str());
    if (const Status started = announcer.start(announcement); !started)
        log_message(LogLevel::warning, "strata serve: %s", started.error().message.c_str());
}

// `--check-config`: 0 and the settings in effect, or 1 and what is wrong.
int check_only(const ServeArguments& parsed) {
    if (const Status checked = check_config(parsed.config); !checked) {
        std::fprintf(stderr, "strata serve: %s\n", checked.error().message.c_str());
        return exit_code::usage;
    }
    if (!parsed.quiet) {
        write_config(parsed.config, std::cout);
        std::cout.flush();
        std::fprintf(stderr, "strata serve: the configuration is valid\n");
    }
    return exit_code::ok;
}

// The demo's admin, made once per data directory; its password and key are printed then.
bool ensure_demo_admin(const std::filesystem::path& data) {
    server::Database db;
    std::filesystem::create_directories(data);
    if (const Status opened = db.open(data / "strata.db"); !opened) {
        std::fprintf(stderr, "strata serve: %s\n", opened.error().message.c_str());
        return false;
    }
    server::Accounts accounts(db);
    if (accounts.admin_count() > 0) return true;
    const Result<server::NewUser> created =
        accounts.add_user("demo", server::Role::admin, std::nullopt);
    if (!created) {
        std::fprintf(stderr, "strata serve: %s\n", created.error().message.c_str());
        return false;
    }
    std::printf("demo admin: user demo, password %s, API key %s\n", created->password.c_str(),
                created->api_key.c_str());
    return true;
}

// Puts the sample into the library as an upload would, unless a demo on the same data directory
// put it there before: replacing it would orphan that run's jobs (an interrupted one could no
// longer be resumed).
bool load_sample(server::FileLibrary& library, const std::string& sample) {
    const auto failed = [&sample](const std::string& why) {
        std::fprintf(stderr, "strata serve: cannot load %s: %s\n", sample.c_str(), why.c_str());
        return false;
    };
    const std::string name = std::filesystem::path(sample).filename().string();
    if (library.find(name)) return true;
    std::ifstream in(sample, std::ios::binary);
    if (!in) return failed("cannot read it");
    Result<std::unique_ptr<server::Upload>> begun = library.begin_upload();
    if (!begun) return failed(begun.error().message);
    server::Upload& upload = **begun;
    std::string chunk(1 << 16, '\0');
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
        if (const Status written =
                upload.write(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())));
            !written)
            return failed(written.error().message);
    const Result<server::StoredFile> stored = upload.commit(name, name, false);
    return stored ? true : failed(stored.error().message);
}

// `--demo`'s own printer and webcam, in this process.
struct DemoPrinter {
    std::unique_ptr<streamer::VirtualPrinter> printer;
    std::unique_ptr<VirtualWebcam> webcam;
};

// Starts them and points the configuration at them; an exit code, `ok` when started.
int start_demo(ServeArguments& parsed, DemoPrinter& demo) {
    server::ServerConfig& config = parsed.config;
    if (!parsed.data_given) {
        config.data_directory =
            std::filesystem::temp_directory_path() / ("strata-demo-" + std::to_string(::getpid()));
        config.printer.timelapse_directory = config.data_directory / "timelapse";
    }
    streamer::VirtualPrinterConfig printer_config;
    printer_config.time_scale = 0.05;
    demo.printer = std::make_unique<streamer::VirtualPrinter>(printer_config);
    if (const Status started = demo.printer->start(); !started) {
        std::fprintf(stderr, "strata serve: virtual printer: %s\n",
                     started.error().message.c_str());
        return exit_code::link_failed;
    }
    const timelapse::BedArea bed{0.0, 180.0, 0.0, 180.0};
    timelapse::ViewPoint view = timelapse::front_view(bed, 1280, 720);
    view.follows_z = true;
    demo.webcam = std::make_unique<VirtualWebcam>(*demo.printer, bed, view);
    if (const Status started = demo.webcam->start("127.0.0.1", 0); !started) {
        std::fprintf(stderr, "strata serve: virtual webcam: %s\n", started.error().message.c_str());
        return exit_code::link_failed;
    }
    config.printer.streamer.link.target = demo.printer->path();
    timelapse::CameraConfig camera;
    camera.name = "camera0";
    camera.url = demo.webcam->snapshot_url();
    config.printer.cameras = {camera};
    config.webcam_snapshot_url = demo.webcam->snapshot_url();
    config.webcam_stream_url = demo.webcam->stream_url();
    return ensure_demo_admin(config.data_directory) ? exit_code::ok : exit_code::write_failed;
}

}  // namespace

int run_serve(const std::vector<std::string>& arguments) {
    ServeArguments parsed;
    if (!parse(arguments, parsed)) return exit_code::usage;
    if (parsed.check_only) return check_only(parsed);
    if (const Status checked = check_config(parsed.config); !checked) {
        std::fprintf(stderr, "strata serve: %s\n", checked.error().message.c_str());
        return exit_code::usage;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, restart_signal);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // Before any thread starts.
    server::ServerConfig& config = parsed.config;
    // To the process, not the thread: the main thread waits for it below.
    if (run_by_service_manager()) config.restart = [] { ::kill(::getpid(), restart_signal); };

    DemoPrinter demo;
    if (parsed.demo) {
        if (const int failed = start_demo(parsed, demo); failed != exit_code::ok) return failed;
    }
    std::unique_ptr<streamer::VirtualPrinter>& printer = demo.printer;
    std::unique_ptr<VirtualWebcam>& webcam = demo.webcam;
    server::Server server(config);
    if (const Status started = server.start(); !started) {
        std::fprintf(stderr, "strata serve: %s\n", started.error().message.c_str());
        // A missing admin or a port in use is the user's to change; a broken store is not.
        return started.error().code == ErrorCode::invalid ||
                       started.error().code == ErrorCode::unavailable
                   ? exit_code::usage
                   : exit_code::write_failed;
    }
    std::printf("strata serve: http://%s:%u/ (data %s)\n", config.http.address.c_str(),
                static_cast<unsigned>(server.port()), config.data_directory.c_str());
    if (parsed.demo) {
        if (!load_sample(server.library(), parsed.demo_file)) return exit_code::unreadable;
        server.printer().connect_in_background(config.printer.streamer.link);
        std::printf("strata serve: demo printer on %s, webcam %s, sample %s\n",
                    printer->path().c_str(), webcam->stream_url().c_str(),
                    parsed.demo_file.c_str());
    }
    server::Announcer announcer;
    announce(config, server.port(), announcer);
    std::fflush(stdout);
    if (const Status told = notify_service_manager("READY=1"); !told)
        log_message(LogLevel::warning, "strata serve: %s", told.error().message.c_str());
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    const bool restarting = signal_number == restart_signal;
    log_message(LogLevel::notice, "strata serve: %s", restarting ? "restarting" : "stopping");
    if (const Status told = notify_service_manager("STOPPING=1"); !told)
        log_message(LogLevel::warning, "strata serve: %s", told.error().message.c_str());
    // The restart's own answer (204) is on its way out; let it leave before the listener goes.
    if (restarting) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    announcer.stop();
    server.stop();
    if (webcam) webcam->stop();
    if (printer) printer->stop();
    return restarting ? exit_code::restart : exit_code::ok;
}

}  // namespace strata::cli
