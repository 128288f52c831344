// A job as the streamer reads it: the file's lines turned into what goes on the wire (comments
// and extra blanks gone, any `N`/`*` of the file's own removed) and what the host does itself
// (`@pause`, `@STRATA SNAPSHOT n=`), plus the timeline that makes progress and the ETA from the
// precomputed estimate instead of from bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/common/job_index.hpp"
#include "strata/common/result.hpp"
#include "strata/parser/gcode_line.hpp"
#include "strata/parser/line_reader.hpp"

namespace strata::streamer {

/// Layers and estimated time of a job, by job line. From prep's `.index.json`, or built by the
/// caller from an analysis of a file sent as it is.
struct JobTimeline {
    struct Layer {
        std::uint64_t first_line = 0;
        double z_mm = 0.0;
    };
    struct Sample {
        std::uint64_t line = 0;
        double elapsed_s = 0.0;
    };
    std::vector<Layer> layers;
    std::vector<Sample> samples;  ///< Ascending lines: estimated time at the end of each.
    double total_s = 0.0;
    std::uint64_t total_lines = 0;
    std::uint32_t snapshots = 0;

    /// Estimated time at the end of `line`, interpolated between samples.
    [[nodiscard]] double elapsed_at(std::uint64_t line) const;
    /// 0-based layer of `line`, -1 before the first.
    [[nodiscard]] std::int64_t layer_at(std::uint64_t line) const;
    /// How much of the job is done once `line` is, in percent: by the estimated time where prep's
    /// samples are known, else by lines (a file printed as it is has only the estimate's total).
    [[nodiscard]] double percent_at(std::uint64_t line) const;
    [[nodiscard]] bool timed() const { return total_s > 0.0 && !samples.empty(); }
};

/// The timeline of prep's index.
[[nodiscard]] JobTimeline timeline_of(const JobIndex& index);
/// Reads prep's index (`<job>.index.json`) for its timeline; the error names the field at fault.
[[nodiscard]] Result<JobTimeline> load_job_timeline(const std::string& index_path);

/// One line of the job, classified.
struct JobItem {
    enum class Kind : std::uint8_t {
        send,      ///< `text` goes to the printer.
        snapshot,  ///< `@STRATA SNAPSHOT n=`: wait for the moves, capture, go on.
        pause,     ///< `@pause`
        resume,    ///< `@resume`
        cancel,    ///< `@cancel` / `@abort`
        host,      ///< Another `@` command: never sent, reported.
    };
    Kind kind = Kind::send;
    std::uint64_t line = 0;  ///< 1-based line in the job file.
    std::string_view text;   ///< Valid until the next `next()`.
    std::uint32_t snapshot = 0;
};

class JobReader {
  public:
    [[nodiscard]] Status open(const std::string& path);
    /// The next item that does something; false at the end (or on a read error: `status()`).
    bool next(JobItem& item);
    [[nodiscard]] const Status& status() const { return reader_.status(); }
    [[nodiscard]] std::uint64_t bytes_read() const { return reader_.bytes_read(); }
    [[nodiscard]] std::uint64_t file_bytes() const { return reader_.file_bytes(); }
    /// The last item's line as the lexer read it (views into the reader's buffer, valid until
    /// the next `next()`): what a caller simulating the job needs without lexing it again.
    [[nodiscard]] const parser::GcodeLine& lexed() const { return line_; }

  private:
    parser::LineReader reader_;
    parser::GcodeLine line_;
    std::string cleaned_;
};

/// The wire form of one G-code line: no comment, no line number or checksum, trimmed, runs of
/// blanks collapsed except inside a string argument (`M117 Hello  world`); empty when nothing
/// is left to send.
[[nodiscard]] std::string_view clean_command(std::string_view raw, std::string& scratch);
/// The same for a line already lexed.
[[nodiscard]] std::string_view clean_lexed(std::string_view raw, const parser::GcodeLine& line,
                                           std::string& scratch);

/// OctoPrint's temperature offsets: added to the temperatures a printing job sets (the S, or R,
/// of its M104 / M109 for each tool and of its M140 / M190 for the bed), so a print runs hotter
/// or cooler without slicing it again. Commands the user sends are never offset.
struct TemperatureOffsets {
    static constexpr std::size_t max_tools = 8;
    std::array<double, max_tools> tool_c{};
    double bed_c = 0.0;
};

/// `text`, the wire form of the job line lexed as `line`, with the offset for its heater added
/// to the temperature it sets; the new text is built in `scratch`. `text` itself when the line
/// sets no temperature, the offset is 0, or the heater is turned off (an S0 stays 0). The
/// temperature never goes below 0. `active_tool` is the heater of an M104 / M109 without T.
[[nodiscard]] std::string_view offset_temperature(std::string_view text,
                                                  const parser::GcodeLine& line,
                                                  std::uint32_t active_tool,
                                                  const TemperatureOffsets& offsets,
                                                  std::string& scratch);

}  // namespace strata::streamer
