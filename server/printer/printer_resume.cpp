// Resuming an interrupted job, as PrusaLink's power-panic recovery does: the job is simulated up
// to the first line of the layer it stopped in, to learn the modes, the E position, the feedrate
// and the temperatures there. A resume job is written: declare the nozzle's Z (it did not move
// when the power went), lift, home X and Y only, heat, travel above the layer's start, lower,
// restore E and the modes; then the job's own bytes from that line on. The progress of the new
// job is persisted in the original's line numbers, so it can itself be resumed.
#include <algorithm>
#include <fstream>
#include <thread>

#include "strata/common/gcode_number.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/server/job_records.hpp"
#include "strata/server/printer_service.hpp"

namespace strata::server {
namespace {

// Where the job stood just before `first_line`, from a simulation of it.
struct ResumePoint {
    parser::MachineState state;
    std::uint64_t start_byte = 0;
    double hotend_c = 0.0;
    double bed_c = 0.0;
    bool found = false;
};

ResumePoint find_resume_point(const std::string& job_path, std::uint64_t first_line) {
    ResumePoint point;
    parser::AnalysisOptions options;
    options.lex_on_worker_thread =
        parser::lexer_thread_fits(std::thread::hardware_concurrency(), false);  // Nothing timed.
    options.on_line = [&point, first_line](const parser::LineEvent& event) {
        if (event.number >= first_line) {
            if (event.number == first_line) {
                point.start_byte = event.start_byte;
                point.found = true;
            }
            return;
        }
        point.state = event.state;
        const parser::GcodeLine& line = event.line;
        if ((line.is('M', 104) || line.is('M', 109)) && line.has('S'))
            point.hotend_c = line.value('S');
        if ((line.is('M', 140) || line.is('M', 190)) && line.has('S'))
            point.bed_c = line.value('S');
    };
    (void)parser::analyze_file(job_path, options);
    return point;
}

std::string preamble(std::int64_t job_id, std::uint64_t first_line, const JobRecord& job,
                     const ResumePoint& point, double hotend_c, double bed_c) {
    const auto& position = point.state.position_mm;
    std::string text = "; strata: resume of job " + std::to_string(job_id) + " from line " +
                       std::to_string(first_line) + " (layer " + std::to_string(job.layer + 1) +
                       ", z ";
    append_gcode_fixed(text, job.z_mm, 3);
    const auto word = [&text](std::string_view name, double value, int decimals) {
        text += name;
        append_gcode_fixed(text, value, decimals);
    };
    text += " mm)\n";
    word("M140 S", bed_c, 0);
    word("\nM104 S", hotend_c, 0);
    word("\nG92 Z", job.z_mm, 3);
    text += " ; the nozzle stayed where the job stopped\nG91\nG1 Z2 F600\nG90\nG28 X Y\n";
    word("M190 S", bed_c, 0);
    word("\nM109 S", hotend_c, 0);
    word("\nG1 X", position[0], 3);
    word(" Y", position[1], 3);
    word(" F6000\nG1 Z", position[2], 3);
    text += " F600\n";
    text += point.state.e_relative ? "M83" : "M82";
    word("\nG92 E", point.state.e_relative ? 0.0 : point.state.e_mm, 5);
    text += '\n';
    text += point.state.xyz_relative ? "G91" : "G90";
    word("\nG1 F", point.state.feedrate_mm_s * 60.0, 0);
    text += "\n; strata: the job continues\n";
    return text;
}

Status write_resume_job(const std::string& path, const std::string& head,
                        const std::string& job_path, std::uint64_t start_byte) {
    const std::string partial = path + ".partial";
    std::ifstream in(job_path, std::ios::binary);
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!in || !out) return errno_error("cannot write the resume job " + path, errno);
    out << head;
    in.seekg(static_cast<std::streamoff>(start_byte));
    out << in.rdbuf();
    out.close();
    if (!out) {
        std::error_code left_behind;
        std::filesystem::remove(partial, left_behind);
        return fail(ErrorCode::io, "cannot write the resume job " + path);
    }
    std::error_code failure;
    std::filesystem::rename(partial, path, failure);
    if (failure)
        return Error{error_code_of_errno(failure.value()),
                     "cannot install the resume job: " + failure.message()};
    return {};
}

// The original timeline from `first_line` on, renumbered for the resume job.
streamer::JobTimeline shifted_timeline(const streamer::JobTimeline& original,
                                       std::uint64_t first_line, std::uint64_t head_lines) {
    streamer::JobTimeline timeline;
    const auto shift = [&](std::uint64_t line) { return line - first_line + 1 + head_lines; };
    const double skipped_s = original.elapsed_at(first_line - 1);
    for (const auto& layer : original.layers)
        if (layer.first_line >= first_line)
            timeline.layers.push_back({shift(layer.first_line), layer.z_mm});
    for (const auto& sample : original.samples)
        if (sample.line >= first_line)
            timeline.samples.push_back({shift(sample.line), sample.elapsed_s - skipped_s});
    timeline.total_s = original.total_s - skipped_s;
    timeline.total_lines =
        original.total_lines >= first_line ? shift(original.total_lines) : head_lines;
    return timeline;
}

}  // namespace

Status PrinterService::resume_interrupted(std::int64_t job_id) {
    const std::lock_guard control(control_);
    {
        const std::lock_guard lock(mutex_);
        if (!streamer_ || status_.state != streamer::PrinterState::operational) {
            return fail(ErrorCode::unavailable,
                        "the printer must be connected and idle to resume a job");
        }
    }
    const Result<std::optional<JobRecord>> found =
        store_.with([job_id](Database& db) { return JobRecords(db).find_interrupted(job_id); });
    if (!found) {
        return fail(ErrorCode::conflict, found.error().message);
    }
    if (!*found) {
        return fail(ErrorCode::not_found, "no interrupted job " + std::to_string(job_id));
    }
    const std::optional<JobRecord>& job = *found;
    const std::optional<StoredFile> file = library_.find(job->file_id);
    if (!file || job->job_path.empty() || !std::filesystem::exists(job->job_path)) {
        return fail(ErrorCode::not_found, "the job's file is gone");
    }
    // After a crash a job that was not yet on the disk is prepared again (the same bytes: prep
    // is deterministic); until then it may be cut short.
    if (file->state != FileState::ready) {
        return fail(ErrorCode::conflict, "the job's file is being prepared again (" +
                                             std::string(to_string(file->state)) +
                                             "); resume it when ready");
    }
    streamer::JobTimeline original;
    if (!file->index_path.empty() && file->job_path == job->job_path) {
        // Without its layers the job would resume from its first line: refused instead.
        Result<streamer::JobTimeline> loaded = streamer::load_job_timeline(file->index_path);
        if (!loaded) {
            return fail(ErrorCode::conflict, "cannot resume: " + loaded.error().message);
        }
        original = std::move(*loaded);
    }
    std::uint64_t first_line = 1;
    if (job->layer >= 0 && static_cast<std::size_t>(job->layer) < original.layers.size())
        first_line = original.layers[static_cast<std::size_t>(job->layer)].first_line;
    const ResumePoint point = find_resume_point(job->job_path, first_line);
    if (!point.found)
        return fail(ErrorCode::conflict, "the job has no line " + std::to_string(first_line));
    const double hotend_c = point.hotend_c > 0.0 ? point.hotend_c : settings_.resume_hotend_c;
    const double bed_c = point.bed_c > 0.0 ? point.bed_c : settings_.resume_bed_c;
    const std::string head = preamble(job_id, first_line, *job, point, hotend_c, bed_c);
    const auto head_lines = static_cast<std::uint64_t>(std::count(head.begin(), head.end(), '\n'));
    const std::string path =
        (library_.data_directory() / "jobs" / ("resume-" + std::to_string(job_id) + ".gcode"))
            .string();
    if (Status written = write_resume_job(path, head, job->job_path, point.start_byte); !written)
        return written;
    {
        const std::lock_guard lock(mutex_);
        status_.selected = file;
        resume_job_path_ = path;
    }
    const Launch what{
        path, job->job_path, job_id,
        static_cast<std::int64_t>(first_line - 1) - static_cast<std::int64_t>(head_lines)};
    return launch(*file, what, shifted_timeline(original, first_line, head_lines));
}

}  // namespace strata::server
