// The job index (`<job>.index.json`): the contract between prep, which writes it beside the
// annotated job, and whoever reads it — the streamer (layers and time samples for progress and
// the ETA), the server (`/api/strata/files`, resuming a job) and the web app. Its writer and
// reader live here together so they cannot drift apart; tests/common checks the round trip.
// Every line number is a 1-based line of the job (the original's lines moved past the
// snapshot blocks); times include the snapshots' added time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/common/result.hpp"

namespace strata {

class JsonWriter;

struct JobIndex {
    struct Source {
        std::string file;
        std::uint64_t bytes = 0;
        std::uint64_t lines = 0;
    };
    struct Job {
        std::uint64_t bytes = 0;
        std::uint64_t lines = 0;
    };
    struct Layer {
        std::uint32_t index = 0;
        double z_mm = 0.0;
        std::uint64_t first_line = 0;  ///< Ascending.
        double elapsed_s = 0.0;
    };
    struct Snapshot {
        std::uint32_t n = 0;
        std::uint64_t line = 0;  ///< The job's `@STRATA SNAPSHOT n=` line.
        std::uint64_t source_line = 0;
        std::int64_t layer = -1;
        double z_mm = 0.0;
        std::string trigger;
        std::string placement;
        std::string feature;
        std::array<double, 3> position_mm{};
        std::optional<std::array<double, 2>> park_mm;
        bool stops = true;
        double travel_mm = 0.0;
        double time_added_s = 0.0;
        double elapsed_s = 0.0;
    };
    struct Skipped {
        std::int64_t layer = -1;
        std::uint64_t source_line = 0;
        std::string trigger;
        std::string reason;
    };
    struct Sample {
        std::uint64_t line = 0;  ///< Ascending.
        double elapsed_s = 0.0;  ///< Never less than the sample before.
    };

    Source source;
    Job job;
    double estimated_time_s = 0.0;
    double time_added_s = 0.0;
    std::vector<Layer> layers;
    std::vector<Snapshot> snapshots;
    std::vector<Skipped> skipped;
    std::vector<Sample> time_samples;
};

/// The index as JSON text, one line with a newline at the end.
[[nodiscard]] std::string job_index_json(const JobIndex& index);
/// The `snapshots` array alone (`strata prep --json`).
void write_job_index_snapshots(JsonWriter& json, const std::vector<JobIndex::Snapshot>& snapshots);

/// Reads an index from its JSON text. Refused with the field at fault: a document that is not a
/// `strata-job-index`, a missing `layers`, `snapshots`, `time_samples`, `estimated_time_s` or
/// `job`, a value of the wrong type, layers or samples going back. Descriptive members
/// (`source`, a snapshot's `trigger`) may be absent.
[[nodiscard]] Result<JobIndex> parse_job_index(std::string_view text);
/// The same from the file at `path`; the error message starts with the path.
[[nodiscard]] Result<JobIndex> load_job_index(const std::string& path);

}  // namespace strata
