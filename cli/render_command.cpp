// `strata render FRAMES -o OUT [options] [--json]`: renders a frame directory (or a frame archive
// made by the frame policy) into a video with timelapse/render, in-process. Exit 0 with the
// video written, 1 for bad options, 2 when the frames cannot be read, 5 when the video cannot.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/timelapse/frames.hpp"
#include "strata/timelapse/render.hpp"

namespace strata::cli {
namespace {

constexpr const char* usage_text =
    "usage: strata render FRAMES_DIR|FRAMES.tar -o OUT.mp4|.webm|.gif [--json]\n"
    "       [--fps N | --length SECONDS [--min-fps N] [--max-fps N]]\n"
    "       [--pre-roll S] [--post-roll S] [--rotate 90|180|270] [--flip-h] [--flip-v]\n"
    "       [--overlay TEMPLATE] [--font PATH.ttf] [--font-size PX] [--corner tl|tr|bl|br]\n"
    "       [--crf N] [--preset X264_PRESET] [--threads N] [--thumbnail PATH.jpg]\n"
    "  overlay tokens: {snapshot} {layer} {height} {elapsed} {time} {progress}\n";

struct RenderArguments {
    std::string frames;
    std::filesystem::path output;
    timelapse::RenderOptions options;
    bool as_json = false;
};

template <typename Number>
bool parse_number(const std::string& option, const std::string& text, Number& value) {
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (code == std::errc() && end == text.data() + text.size()) return true;
    std::fprintf(stderr, "strata render: %s: '%s' is not a number\n", option.c_str(), text.c_str());
    return false;
}

bool parse_choice(const std::string& option, const std::string& text, RenderArguments& parsed) {
    timelapse::RenderOptions& options = parsed.options;
    if (option == "--rotate") {
        if (text == "90")
            options.transform.rotation = timelapse::Rotation::cw90;
        else if (text == "180")
            options.transform.rotation = timelapse::Rotation::cw180;
        else if (text == "270")
            options.transform.rotation = timelapse::Rotation::cw270;
        else if (text != "0")
            return false;
        return true;
    }
    const char* corners[] = {"tl", "tr", "bl", "br"};
    for (int i = 0; i < 4; ++i)
        if (text == corners[i]) options.overlay.corner = static_cast<timelapse::Corner>(i);
    return text == "tl" || text == "tr" || text == "bl" || text == "br";
}

// Options that take a value; false (after saying why) on a bad one.
bool parse_valued(const std::string& option, const std::string& text, RenderArguments& parsed) {
    timelapse::RenderOptions& o = parsed.options;
    if (option == "-o")
        parsed.output = text;
    else if (option == "--fps")
        return parse_number(option, text, o.fps);
    else if (option == "--length")
        return parse_number(option, text, o.run_length_s);
    else if (option == "--min-fps")
        return parse_number(option, text, o.min_fps);
    else if (option == "--max-fps")
        return parse_number(option, text, o.max_fps);
    else if (option == "--pre-roll")
        return parse_number(option, text, o.pre_roll_s);
    else if (option == "--post-roll")
        return parse_number(option, text, o.post_roll_s);
    else if (option == "--crf")
        return parse_number(option, text, o.crf);
    else if (option == "--threads")
        return parse_number(option, text, o.threads);
    else if (option == "--font-size")
        return parse_number(option, text, o.overlay.font_px);
    else if (option == "--preset")
        o.x264_preset = text;
    else if (option == "--overlay")
        o.overlay.text_template = text;
    else if (option == "--font")
        o.overlay.font_path = text;
    else if (option == "--thumbnail")
        o.thumbnail = text;
    else if (option == "--rotate" || option == "--corner") {
        if (parse_choice(option, text, parsed)) return true;
        std::fprintf(stderr, "strata render: %s: '%s' is not one of the choices\n", option.c_str(),
                     text.c_str());
        return false;
    }
    return true;
}

bool parse_arguments(const std::vector<std::string>& arguments, RenderArguments& parsed) {
    const std::vector<std::string> valued = {"-o",        "--fps",       "--length",    "--min-fps",
                                             "--max-fps", "--pre-roll",  "--post-roll", "--crf",
                                             "--threads", "--font-size", "--preset",    "--overlay",
                                             "--font",    "--thumbnail", "--rotate",    "--corner"};
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        const bool takes_value = std::find(valued.begin(), valued.end(), argument) != valued.end();
        if (takes_value && i + 1 < arguments.size()) {
            if (!parse_valued(argument, arguments[++i], parsed)) return false;
        } else if (argument == "--flip-h") {
            parsed.options.transform.flip_horizontal = true;
        } else if (argument == "--flip-v") {
            parsed.options.transform.flip_vertical = true;
        } else if (argument == "--json") {
            parsed.as_json = true;
        } else if (argument.empty() || argument[0] == '-' || !parsed.frames.empty()) {
            std::fprintf(stderr, "strata render: unexpected '%s'\n%s", argument.c_str(),
                         usage_text);
            return false;
        } else {
            parsed.frames = argument;
        }
    }
    if (parsed.frames.empty() || parsed.output.empty()) {
        std::fputs(usage_text, stderr);
        return false;
    }
    const std::string extension = parsed.output.extension().string();
    if (extension == ".webm")
        parsed.options.format = timelapse::VideoFormat::webm_vp9;
    else if (extension == ".gif")
        parsed.options.format = timelapse::VideoFormat::gif;
    else if (extension != ".mp4") {
        std::fprintf(stderr, "strata render: -o: %s: the name must end in .mp4, .webm or .gif\n",
                     parsed.output.c_str());
        return false;
    }
    return true;
}

void report(const timelapse::RenderResult& result, double wall_s, bool as_json) {
    if (as_json) {
        JsonWriter json(std::cout);
        json.begin_object()
            .field("ok", result.status.ok())
            .field("frames_read", result.frames_read)
            .field("frames_written", result.frames_written)
            .field("width", result.width)
            .field("height", result.height)
            .field("fps", result.fps)
            .field("duration_s", result.duration_s)
            .field("wall_s", wall_s);
        if (!result.status) json.field("error", result.status.error().message);
        json.end_object();
        std::cout << '\n';
    } else if (result.status) {
        std::printf(
            "rendered %llu frames (%llu with the rolls), %dx%d at %.3g fps, %.2f s of "
            "video, in %.2f s (%.1f frames/s)\n",
            static_cast<unsigned long long>(result.frames_read),
            static_cast<unsigned long long>(result.frames_written), result.width, result.height,
            result.fps, result.duration_s, wall_s,
            static_cast<double>(result.frames_written) / wall_s);
    }
    if (!result.status)
        std::fprintf(stderr, "strata render: %s\n", result.status.error().message.c_str());
}

}  // namespace

int run_render(const std::vector<std::string>& arguments) {
    RenderArguments parsed;
    if (!parse_arguments(arguments, parsed)) return exit_code::usage;
    if (const Status valid = timelapse::validate(parsed.options); !valid) {
        std::fprintf(stderr, "strata render: %s\n", valid.error().message.c_str());
        return exit_code::usage;
    }
    const auto started = std::chrono::steady_clock::now();
    std::filesystem::path directory = parsed.frames;
    std::filesystem::path unpacked;
    if (directory.extension() == ".tar") {
        unpacked = parsed.output.string() + ".frames";
        if (const Status extracted = timelapse::extract_frame_archive(directory, unpacked);
            !extracted) {
            std::fprintf(stderr, "strata render: %s\n", extracted.error().message.c_str());
            return exit_code::unreadable;
        }
        directory = unpacked;
    }
    Result<std::vector<timelapse::Frame>> frames = timelapse::load_frames(directory);
    if (frames && frames->empty())
        frames = fail(ErrorCode::not_found,
                      parsed.frames + ": no frames (.jpg files or a frames.tsv) in it");
    timelapse::RenderResult result;
    if (frames) result = timelapse::render_frames(*frames, parsed.output, parsed.options);
    std::error_code ignored;
    if (!unpacked.empty()) std::filesystem::remove_all(unpacked, ignored);
    if (!frames) {
        std::fprintf(stderr, "strata render: %s\n", frames.error().message.c_str());
        return exit_code::unreadable;
    }
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report(result, wall_s, parsed.as_json);
    if (result.status) return exit_code::ok;
    return result.frames_read < frames->size() ? exit_code::unreadable : exit_code::write_failed;
}

}  // namespace strata::cli
