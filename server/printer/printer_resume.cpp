// Resuming an interrupted job, as PrusaLink's power-panic recovery does: the job is simulated up
// to the first line of the layer it stopped in, to learn the modes, the E position, the feedrate
// and the temperatures there. A resume job is written: declare the nozzle's Z (it did not move
// when the power went), lift, home X and Y only, heat, travel above the layer's start, lower,
// restore E and the modes; then the job's own bytes from that line on. The progress of the new
// job is persisted in the original's line numbers, so it can itself be resumed.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "strata/parser/analysis.hpp"
#include "strata/server/printer_service.hpp"

namespace strata::server {
namespace {

struct InterruptedJob {
    std::int64_t file_id = 0;
    std::string job_path;
    std::int64_t last_line = 0;
    std::int64_t layer = -1;
    double z_mm = 0.0;
};

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

std::string preamble(std::int64_t job_id, std::uint64_t first_line, const InterruptedJob& job,
                     const ResumePoint& point, double hotend_c, double bed_c) {
    const auto& position = point.state.position_mm;
    char text[1536];
    std::snprintf(text, sizeof text,
                  "; strata: resume of job %lld from line %llu (layer %lld, z %.3f mm)\n"
                  "M140 S%.0f\nM104 S%.0f\n"
                  "G92 Z%.3f ; the nozzle stayed where the job stopped\n"
                  "G91\nG1 Z2 F600\nG90\n"
                  "G28 X Y\n"
                  "M190 S%.0f\nM109 S%.0f\n"
                  "G1 X%.3f Y%.3f F6000\n"
                  "G1 Z%.3f F600\n"
                  "%s\nG92 E%.5f\n%s\nG1 F%.0f\n"
                  "; strata: the job continues\n",
                  static_cast<long long>(job_id), static_cast<unsigned long long>(first_line),
                  static_cast<long long>(job.layer) + 1, job.z_mm, bed_c, hotend_c, job.z_mm, bed_c,
                  hotend_c, position[0], position[1], position[2],
                  point.state.e_relative ? "M83" : "M82",
                  point.state.e_relative ? 0.0 : point.state.e_mm,
                  point.state.xyz_relative ? "G91" : "G90", point.state.feedrate_mm_s * 60.0);
    return text;
}

bool write_resume_job(const std::string& path, const std::string& head, const std::string& job_path,
                      std::uint64_t start_byte, std::string& error) {
    const std::string partial = path + ".partial";
    std::ifstream in(job_path, std::ios::binary);
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!in || !out) {
        error = "cannot write the resume job " + path;
        return false;
    }
    out << head;
    in.seekg(static_cast<std::streamoff>(start_byte));
    out << in.rdbuf();
    out.close();
    if (!out) {
        error = "cannot write the resume job " + path;
        return false;
    }
    std::error_code failure;
    std::filesystem::rename(partial, path, failure);
    if (failure) error = "cannot install the resume job: " + failure.message();
    return !failure;
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

Refusal PrinterService::resume_interrupted(std::int64_t job_id, std::string& error) {
    const std::lock_guard control(control_);
    {
        const std::lock_guard lock(mutex_);
        if (!streamer_ || status_.state != streamer::PrinterState::operational) {
            error = "the printer must be connected and idle to resume a job";
            return Refusal::not_operational;
        }
    }
    std::optional<InterruptedJob> job = store_.with([job_id](Database& db) {
        std::optional<InterruptedJob> found;
        std::string ignored;
        Statement select = db.prepare(
            "SELECT coalesce(file_id, 0), coalesce(job_path, ''), last_line, layer, z_mm FROM "
            "jobs WHERE id = ? AND state = 'interrupted'",
            ignored);
        if (select.valid() && select.bind(1, job_id).step(ignored) == Statement::Step::row)
            found = InterruptedJob{select.int64(0), select.text(1), select.int64(2),
                                   select.int64(3), select.real(4)};
        return found;
    });
    if (!job) {
        error = "no interrupted job " + std::to_string(job_id);
        return Refusal::no_file;
    }
    const std::optional<StoredFile> file = library_.find(job->file_id);
    if (!file || job->job_path.empty() || !std::filesystem::exists(job->job_path)) {
        error = "the job's file is gone";
        return Refusal::no_file;
    }
    // After a crash a job that was not yet on the disk is prepared again (the same bytes: prep
    // is deterministic); until then it may be cut short.
    if (file->state != "ready") {
        error =
            "the job's file is being prepared again (" + file->state + "); resume it when ready";
        return Refusal::not_ready;
    }
    streamer::JobTimeline original;
    if (!file->index_path.empty() && file->job_path == job->job_path)
        (void)streamer::load_job_index(file->index_path, original, error);
    std::uint64_t first_line = 1;
    if (job->layer >= 0 && static_cast<std::size_t>(job->layer) < original.layers.size())
        first_line = original.layers[static_cast<std::size_t>(job->layer)].first_line;
    const ResumePoint point = find_resume_point(job->job_path, first_line);
    if (!point.found) {
        error = "the job has no line " + std::to_string(first_line);
        return Refusal::not_ready;
    }
    const double hotend_c = point.hotend_c > 0.0 ? point.hotend_c : settings_.resume_hotend_c;
    const double bed_c = point.bed_c > 0.0 ? point.bed_c : settings_.resume_bed_c;
    const std::string head = preamble(job_id, first_line, *job, point, hotend_c, bed_c);
    const auto head_lines = static_cast<std::uint64_t>(std::count(head.begin(), head.end(), '\n'));
    const std::string path =
        (library_.data_directory() / "jobs" / ("resume-" + std::to_string(job_id) + ".gcode"))
            .string();
    if (!write_resume_job(path, head, job->job_path, point.start_byte, error))
        return Refusal::not_ready;
    {
        const std::lock_guard lock(mutex_);
        status_.selected = file;
        resume_job_path_ = path;
    }
    const Launch what{
        path, job->job_path, job_id,
        static_cast<std::int64_t>(first_line - 1) - static_cast<std::int64_t>(head_lines)};
    return launch(*file, what, shifted_timeline(original, first_line, head_lines), error);
}

}  // namespace strata::server
