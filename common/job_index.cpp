// The job index's writer (JsonWriter, member order fixed: the web app and tests read it) and its
// reader (RapidJSON; every value checked by type before use, members found by json_member since
// RapidJSON's own comparisons misbehave in C++20, reference/dependencies.md pitfall 3).
#include "strata/common/job_index.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "strata/common/json_limits.hpp"
#include "strata/common/json_member.hpp"
#include "strata/common/json_writer.hpp"

namespace strata {
namespace {

using Value = rapidjson::Value;

// The largest magnitude a time (s) or length (mm) in an index may have: three years, 100 km.
// Past it a value is damage, not a print; and it keeps every number where RapidJSON's fast
// parse (a few ULP off) still reads back what the 6-decimal writer wrote: a number of 3.1e83,
// all its digits written, came back as a neighbouring double that wrote differently (found by
// the profiles fuzzer). Its full-precision parse would fix that but has undefined behaviour
// (clz of 0) on inputs such as `0e308`.
constexpr double max_index_magnitude = 1e8;

std::optional<double> plausible_number(const Value& value) {
    if (!value.IsNumber()) return std::nullopt;
    const double number = value.GetDouble();
    if (!(std::fabs(number) <= max_index_magnitude)) return std::nullopt;
    return number;
}

void write_snapshot(JsonWriter& json, const JobIndex::Snapshot& snapshot) {
    json.begin_object()
        .field("n", snapshot.n)
        .field("line", snapshot.line)
        .field("source_line", snapshot.source_line)
        .field("layer", snapshot.layer)
        .field("z_mm", snapshot.z_mm)
        .field("trigger", snapshot.trigger)
        .field("placement", snapshot.placement)
        .field("feature", snapshot.feature);
    json.key("position_mm").begin_array();
    for (const double coordinate : snapshot.position_mm)
        json.value(coordinate);
    json.end_array().key("park_mm");
    if (snapshot.park_mm)
        json.begin_array().value((*snapshot.park_mm)[0]).value((*snapshot.park_mm)[1]).end_array();
    else
        json.null();
    json.field("stops", snapshot.stops)
        .field("travel_mm", snapshot.travel_mm)
        .field("time_added_s", snapshot.time_added_s)
        .field("elapsed_s", snapshot.elapsed_s)
        .end_object();
}

// Reads the members of one object, remembering the first problem by its path in the document
// (`layers[3].z_mm`).
class Fields {
  public:
    Fields(const Value& object, std::string path) : object_(object), path_(std::move(path)) {}

    void read(const char* name, std::uint64_t& out, bool required) {
        read_with(name, out, required, "must be a whole number of at least 0", [](const Value& v) {
            return v.IsUint64() ? std::optional(v.GetUint64()) : std::nullopt;
        });
    }
    void read(const char* name, std::uint32_t& out, bool required) {
        read_with(
            name, out, required, "must be a whole number from 0 to 4294967295",
            [](const Value& v) { return v.IsUint() ? std::optional(v.GetUint()) : std::nullopt; });
    }
    void read(const char* name, std::int64_t& out, bool required) {
        read_with(name, out, required, "must be a whole number", [](const Value& v) {
            return v.IsInt64() ? std::optional(v.GetInt64()) : std::nullopt;
        });
    }
    void read(const char* name, double& out, bool required) {
        read_with(name, out, required, "must be a number from -1e8 to 1e8", plausible_number);
    }
    void read(const char* name, bool& out, bool required) {
        read_with(name, out, required, "must be true or false", [](const Value& v) {
            return v.IsBool() ? std::optional(v.GetBool()) : std::nullopt;
        });
    }
    void read(const char* name, std::string& out, bool required) {
        read_with(name, out, required, "must be text", [](const Value& v) {
            return v.IsString() ? std::optional(std::string(v.GetString(), v.GetStringLength()))
                                : std::nullopt;
        });
    }
    /// A fixed-size array of numbers; `null` leaves `out` empty where `nullable`.
    template <std::size_t N>
    void read(const char* name, std::array<double, N>& out, bool required) {
        const Value* value = find(name, required);
        if (value == nullptr) return;
        if (!value->IsArray() || value->Size() != N) {
            complain(name, "must be a list of " + std::to_string(N) + " numbers");
            return;
        }
        for (rapidjson::SizeType i = 0; i < N; ++i) {
            const std::optional<double> number = plausible_number((*value)[i]);
            if (!number) {
                complain(name,
                         "must be a list of " + std::to_string(N) + " numbers from -1e8 to 1e8");
                return;
            }
            out[i] = *number;
        }
    }
    void read(const char* name, std::optional<std::array<double, 2>>& out) {
        const Value* value = find(name, false);
        if (value == nullptr || value->IsNull()) return;
        std::array<double, 2> xy{};
        read(name, xy, false);
        if (!problem_) out = xy;
    }
    void complain(const char* name, const std::string& what) {
        if (!problem_) problem_ = path_ + (path_.empty() ? "" : ".") + name + " " + what;
    }
    /// The object itself is wrong.
    void refuse(const std::string& what) {
        if (!problem_) problem_ = path_ + " " + what;
    }
    [[nodiscard]] const std::optional<std::string>& problem() const { return problem_; }

  private:
    // The member `name` converted by `convert` (nothing when it has the wrong type) into `out`;
    // a missing member is a problem only when `required`.
    template <class T, class Convert>
    void read_with(const char* name, T& out, bool required, const char* what, Convert convert) {
        const Value* value = find(name, required);
        if (value == nullptr) return;
        if (auto converted = convert(*value))
            out = std::move(*converted);
        else
            complain(name, what);
    }
    const Value* find(const char* name, bool required) {
        const Value* value = json_member(object_, name);
        if (value == nullptr && required) complain(name, "is required");
        return value;
    }

    const Value& object_;
    std::string path_;
    std::optional<std::string> problem_;
};

// `name` in the document as an array, or the problem.
std::optional<std::string> array_of(const Value& document, const char* name, const Value*& out) {
    out = json_member(document, name);
    if (out == nullptr) return std::string(name) + " is required";
    if (!out->IsArray()) return std::string(name) + " must be a list";
    return std::nullopt;
}

std::string item_path(const char* list, rapidjson::SizeType index) {
    return std::string(list) + "[" + std::to_string(index) + "]";
}

// Each object of `list` (`name` in errors) read by `read_fields` into a new item of `out`.
template <class T, class ReadFields>
std::optional<std::string> read_objects(const Value& list, const char* name, std::vector<T>& out,
                                        ReadFields read_fields) {
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        T item;
        Fields fields(list[i], item_path(name, i));
        if (!list[i].IsObject()) fields.refuse("must be an object");
        read_fields(fields, item);
        if (fields.problem()) return fields.problem();
        out.push_back(std::move(item));
    }
    return std::nullopt;
}

std::optional<std::string> read_layers(const Value& layers, JobIndex& index) {
    auto problem = read_objects(layers, "layers", index.layers, [](Fields& f, JobIndex::Layer& l) {
        f.read("index", l.index, false);
        f.read("z_mm", l.z_mm, true);
        f.read("first_line", l.first_line, true);
        f.read("elapsed_s", l.elapsed_s, false);
    });
    if (problem) return problem;
    // Looked up by binary search: out of order, a line would land in the wrong layer.
    for (std::size_t i = 1; i < index.layers.size(); ++i)
        if (index.layers[i].first_line < index.layers[i - 1].first_line)
            return item_path("layers", static_cast<rapidjson::SizeType>(i)) +
                   ".first_line goes back";
    return std::nullopt;
}

std::optional<std::string> read_snapshots(const Value& snapshots, JobIndex& index) {
    return read_objects(snapshots, "snapshots", index.snapshots,
                        [](Fields& f, JobIndex::Snapshot& snapshot) {
                            f.read("n", snapshot.n, false);
                            f.read("line", snapshot.line, false);
                            f.read("source_line", snapshot.source_line, false);
                            f.read("layer", snapshot.layer, false);
                            f.read("z_mm", snapshot.z_mm, false);
                            f.read("trigger", snapshot.trigger, false);
                            f.read("placement", snapshot.placement, false);
                            f.read("feature", snapshot.feature, false);
                            f.read("position_mm", snapshot.position_mm, false);
                            f.read("park_mm", snapshot.park_mm);
                            f.read("stops", snapshot.stops, false);
                            f.read("travel_mm", snapshot.travel_mm, false);
                            f.read("time_added_s", snapshot.time_added_s, false);
                            f.read("elapsed_s", snapshot.elapsed_s, false);
                        });
}

std::optional<std::string> read_skipped(const Value& skipped, JobIndex& index) {
    return read_objects(skipped, "skipped", index.skipped, [](Fields& f, JobIndex::Skipped& entry) {
        f.read("layer", entry.layer, false);
        f.read("source_line", entry.source_line, false);
        f.read("trigger", entry.trigger, false);
        f.read("reason", entry.reason, false);
    });
}

std::optional<std::string> read_samples(const Value& samples, JobIndex& index) {
    for (rapidjson::SizeType i = 0; i < samples.Size(); ++i) {
        const Value& sample = samples[i];
        const std::optional<double> seconds =
            sample.IsArray() && sample.Size() == 2 ? plausible_number(sample[1]) : std::nullopt;
        if (!seconds || !sample[0].IsUint64())
            return item_path("time_samples", i) + " must be [line, seconds up to 1e8]";
        const JobIndex::Sample read{sample[0].GetUint64(), *seconds};
        // Interpolated between neighbours found by binary search: lines must rise, and time
        // cannot run backwards (progress would jump about).
        const bool rises =
            index.time_samples.empty() || (read.line > index.time_samples.back().line &&
                                           read.elapsed_s >= index.time_samples.back().elapsed_s);
        if (!rises || read.elapsed_s < 0.0)
            return item_path("time_samples", i) + " must come after the one before";
        index.time_samples.push_back(read);
    }
    return std::nullopt;
}

std::optional<std::string> read_document(const Value& document, JobIndex& index) {
    const Value* format = json_member(document, "format");
    if (format == nullptr || !format->IsString() ||
        std::string_view(format->GetString(), format->GetStringLength()) != "strata-job-index")
        return "format is not strata-job-index";
    const Value* layers = nullptr;
    const Value* snapshots = nullptr;
    const Value* samples = nullptr;
    for (const auto& problem :
         {array_of(document, "layers", layers), array_of(document, "snapshots", snapshots),
          array_of(document, "time_samples", samples)})
        if (problem) return problem;
    Fields top(document, "");
    top.read("estimated_time_s", index.estimated_time_s, true);
    top.read("time_added_s", index.time_added_s, false);
    if (top.problem()) return top.problem();
    const Value* job = json_member(document, "job");
    if (job == nullptr || !job->IsObject()) return "job must be an object";
    Fields job_fields(*job, "job");
    job_fields.read("bytes", index.job.bytes, false);
    job_fields.read("lines", index.job.lines, false);
    if (job_fields.problem()) return job_fields.problem();
    if (const Value* source = json_member(document, "source")) {
        Fields source_fields(*source, "source");
        if (!source->IsObject()) source_fields.refuse("must be an object");
        source_fields.read("file", index.source.file, false);
        source_fields.read("bytes", index.source.bytes, false);
        source_fields.read("lines", index.source.lines, false);
        if (source_fields.problem()) return source_fields.problem();
    }
    if (auto problem = read_layers(*layers, index)) return problem;
    if (auto problem = read_snapshots(*snapshots, index)) return problem;
    if (const Value* skipped = json_member(document, "skipped")) {
        if (!skipped->IsArray()) return "skipped must be a list";
        if (auto problem = read_skipped(*skipped, index)) return problem;
    }
    return read_samples(*samples, index);
}

}  // namespace

void write_job_index_snapshots(JsonWriter& json, const std::vector<JobIndex::Snapshot>& snapshots) {
    json.begin_array();
    for (const JobIndex::Snapshot& snapshot : snapshots)
        write_snapshot(json, snapshot);
    json.end_array();
}

std::string job_index_json(const JobIndex& index) {
    std::ostringstream text;
    JsonWriter json(text);
    json.begin_object().field("format", "strata-job-index").field("version", 1);
    json.key("source")
        .begin_object()
        .field("file", index.source.file)
        .field("bytes", index.source.bytes)
        .field("lines", index.source.lines)
        .end_object();
    json.key("job")
        .begin_object()
        .field("bytes", index.job.bytes)
        .field("lines", index.job.lines)
        .end_object();
    json.field("estimated_time_s", index.estimated_time_s)
        .field("time_added_s", index.time_added_s);
    json.key("layers").begin_array();
    for (const JobIndex::Layer& layer : index.layers) {
        json.begin_object()
            .field("index", layer.index)
            .field("z_mm", layer.z_mm)
            .field("first_line", layer.first_line)
            .field("elapsed_s", layer.elapsed_s)
            .end_object();
    }
    json.end_array().key("snapshots");
    write_job_index_snapshots(json, index.snapshots);
    json.key("skipped").begin_array();
    for (const JobIndex::Skipped& skipped : index.skipped) {
        json.begin_object()
            .field("layer", skipped.layer)
            .field("source_line", skipped.source_line)
            .field("trigger", skipped.trigger)
            .field("reason", skipped.reason)
            .end_object();
    }
    json.end_array().key("time_samples").begin_array();
    for (const JobIndex::Sample& sample : index.time_samples)
        json.begin_array().value(sample.line).value(sample.elapsed_s).end_array();
    json.end_array().end_object();
    text << '\n';
    return text.str();
}

Result<JobIndex> parse_job_index(std::string_view text) {
    if (const auto deep = json_too_deep_at(text))
        return fail(ErrorCode::invalid, "nested deeper than " + std::to_string(max_json_depth) +
                                            " levels at offset " + std::to_string(*deep));
    if (const auto nul = json_nul_at(text))
        return fail(ErrorCode::invalid, "a NUL byte at offset " + std::to_string(*nul));
    rapidjson::Document document;
    document.Parse(text.data(), text.size());
    if (document.HasParseError())
        return fail(ErrorCode::invalid,
                    std::string(rapidjson::GetParseError_En(document.GetParseError())) +
                        " at offset " + std::to_string(document.GetErrorOffset()));
    JobIndex index;
    if (auto problem = read_document(document, index))
        return fail(ErrorCode::invalid, std::move(*problem));
    return index;
}

Result<JobIndex> load_job_index(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return errno_error("cannot read " + path, errno);
    std::ostringstream text;
    text << in.rdbuf();
    Result<JobIndex> index = parse_job_index(text.str());
    if (!index) return Error{index.error().code, path + ": " + index.error().message};
    return index;
}

}  // namespace strata
