// Fuzz target: the readers of JSON documents strata stores or is handed as files. The first
// byte picks the reader, the rest is the document:
//   0  the timelapse profile (planner): a profile read is written out and read back to the same
//      text (a fixed point), and its numbers are finite; with bit 2 of the first byte set, the
//      last line is a `--set dotted.key=value` override;
//   1  the printer profile (server): a body that validates reads, with a bed of finite size;
//   2  the camera profile (server): its password never shows in what the API returns, and a
//      body sent back as shown keeps the stored password (the round trip a web form makes);
//   3  prep's job index (streamer): what loads answers every line's time and layer, finitely.

#include <cmath>
#include <cstdint>
#include <string>

#include <rapidjson/document.h>

#include "fuzz_support.hpp"
#include "strata/planner/timelapse_profile.hpp"
#include "strata/server/profiles.hpp"
#include "strata/streamer/job.hpp"

namespace {

using strata::fuzz::require;
namespace server = strata::server;

void timelapse_profile(std::string_view text, bool with_override) {
    std::vector<std::string> overrides;
    if (with_override) {
        const std::size_t newline = text.rfind('\n');
        if (newline == std::string_view::npos) return;
        overrides.emplace_back(text.substr(newline + 1));
        text = text.substr(0, newline);
    }
    const strata::Result<strata::planner::TimelapseProfile> load =
        strata::planner::load_timelapse_profile(text, overrides);
    if (!load.ok()) return;
    const std::string written = strata::planner::to_json(*load);
    const strata::Result<strata::planner::TimelapseProfile> again =
        strata::planner::load_timelapse_profile(written);
    if (!again.ok())
        std::fprintf(stderr, "%s\n%s\n", written.c_str(), again.error().message.c_str());
    require(again.ok(), "a profile written out does not read back");
    require(again.ok() && strata::planner::to_json(*again) == written,
            "a profile read back writes out differently");
    // Strict JSON has no NaN or infinity: a number that is not finite would fail here.
    rapidjson::Document strict;
    strict.Parse(written.c_str(), written.size());
    require(!strict.HasParseError() && strict.IsObject(), "a profile written out is not JSON");
}

void printer_profile(std::string_view body) {
    server::PrinterProfile profile;
    const bool valid = !server::validate_profile(server::ProfileKind::printer, body);
    const bool read = !server::read_printer_profile(body, profile);
    require(valid == read, "validation and reading disagree");
    if (!read) return;
    for (const double size : {profile.bed_x_mm, profile.bed_y_mm, profile.max_z_mm})
        require(std::isfinite(size) && size > 0.0, "a bed size that is not a finite positive");
    require(profile.baudrate >= 0, "a negative baud rate");
}

void camera_profile(std::string_view body) {
    strata::timelapse::CameraConfig camera;
    if (server::read_camera_profile("fuzz", body, camera)) return;
    const std::string shown = server::without_secrets(server::ProfileKind::camera, body);
    if (!camera.password.empty())
        require(shown.find("\"password\"") == std::string::npos, "a password shown");
    const std::string sent_back =
        server::with_stored_secrets(server::ProfileKind::camera, shown, body);
    strata::timelapse::CameraConfig again;
    require(!server::read_camera_profile("fuzz", sent_back, again),
            "a profile sent back as shown no longer validates");
    require(again.password == camera.password && again.username == camera.username &&
                again.url == camera.url && again.command == camera.command,
            "a profile sent back as shown changed");
}

void job_index(std::string_view text) {
    strata::Result<strata::JobIndex> index = strata::parse_job_index(text);
    if (!index) {
        require(!index.error().message.empty(), "a refused index without a reason");
        return;
    }
    // Whatever is accepted is written back as it was read: the writer and the reader agree.
    const std::string written = strata::job_index_json(*index);
    strata::Result<strata::JobIndex> again = strata::parse_job_index(written);
    require(again.ok(), "an index written back no longer reads");
    require(again.ok() && strata::job_index_json(*again) == written,
            "an index written back reads differently");
    const strata::streamer::JobTimeline timeline = strata::streamer::timeline_of(*index);
    for (const std::uint64_t line :
         {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2}, timeline.total_lines,
          timeline.total_lines + 1, std::uint64_t{1} << 40U}) {
        const double elapsed_s = timeline.elapsed_at(line);
        require(std::isfinite(elapsed_s), "a time that is not finite");
        require(timeline.samples.empty() || (elapsed_s >= timeline.samples.front().elapsed_s &&
                                             elapsed_s <= timeline.samples.back().elapsed_s),
                "a time outside the samples' span");
        require(timeline.layer_at(line) >= -1, "a layer below -1");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] & 3U) {
        case 0: timelapse_profile(body, (data[0] & 4U) != 0); break;
        case 1: printer_profile(body); break;
        case 2: camera_profile(body); break;
        default: job_index(body); break;
    }
    return 0;
}
