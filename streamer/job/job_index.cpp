// load_job_index (see strata/streamer/job.hpp): prep's index, read with RapidJSON. Values are
// checked by type before use and strings compared as std::string_view (RapidJSON's own
// operator== misbehaves in C++20, reference/dependencies.md pitfall 3).
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <fstream>
#include <sstream>
#include <string_view>

#include "strata/json_limits.hpp"
#include "strata/streamer/job.hpp"

namespace strata::streamer {
namespace {

using Value = rapidjson::Value;

// The member, or nothing: FindMember, not operator[], whose missing-member path RapidJSON
// serves from a static buffer.
const Value* member(const Value& object, const char* name) {
    if (!object.IsObject()) return nullptr;
    const auto found = object.FindMember(name);
    return found == object.MemberEnd() ? nullptr : &found->value;
}

bool read_layers(const Value& layers, JobTimeline& timeline, std::string& error) {
    for (rapidjson::SizeType i = 0; i < layers.Size(); ++i) {
        const Value* first_line = member(layers[i], "first_line");
        const Value* z_mm = member(layers[i], "z_mm");
        if (first_line == nullptr || !first_line->IsUint64() || z_mm == nullptr ||
            !z_mm->IsNumber()) {
            error = "layers[" + std::to_string(i) + "] needs first_line and z_mm";
            return false;
        }
        // Looked up by binary search: out of order, a line would land in the wrong layer.
        if (!timeline.layers.empty() &&
            first_line->GetUint64() < timeline.layers.back().first_line) {
            error = "layers[" + std::to_string(i) + "].first_line goes back";
            return false;
        }
        timeline.layers.push_back({first_line->GetUint64(), z_mm->GetDouble()});
    }
    return true;
}

bool read_samples(const Value& samples, JobTimeline& timeline, std::string& error) {
    for (rapidjson::SizeType i = 0; i < samples.Size(); ++i) {
        const Value& sample = samples[i];
        if (!sample.IsArray() || sample.Size() != 2 || !sample[0].IsUint64() ||
            !sample[1].IsNumber()) {
            error = "time_samples[" + std::to_string(i) + "] must be [line, seconds]";
            return false;
        }
        // Interpolated between neighbours found by binary search: lines must rise, and time
        // cannot run backwards (progress would jump about).
        const bool rises = timeline.samples.empty() ||
                           (sample[0].GetUint64() > timeline.samples.back().line &&
                            sample[1].GetDouble() >= timeline.samples.back().elapsed_s);
        if (!rises || sample[1].GetDouble() < 0.0) {
            error = "time_samples[" + std::to_string(i) + "] must come after the one before";
            return false;
        }
        timeline.samples.push_back({sample[0].GetUint64(), sample[1].GetDouble()});
    }
    return true;
}

}  // namespace

bool load_job_index(const std::string& path, JobTimeline& timeline, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read " + path;
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const std::string json = text.str();
    if (const auto deep = json_too_deep_at(json)) {
        error = path + ": nested deeper than " + std::to_string(max_json_depth) +
                " levels at offset " + std::to_string(*deep);
        return false;
    }
    if (const auto nul = json_nul_at(json)) {
        error = path + ": a NUL byte at offset " + std::to_string(*nul);
        return false;
    }
    rapidjson::Document document;
    document.Parse(json.c_str(), json.size());
    if (document.HasParseError()) {
        error = path + ": " + rapidjson::GetParseError_En(document.GetParseError()) +
                " at offset " + std::to_string(document.GetErrorOffset());
        return false;
    }
    const Value* format = member(document, "format");
    if (format == nullptr || !format->IsString() ||
        std::string_view(format->GetString()) != "strata-job-index") {
        error = path + ": format is not strata-job-index";
        return false;
    }
    const Value* layers = member(document, "layers");
    const Value* samples = member(document, "time_samples");
    const Value* snapshots = member(document, "snapshots");
    const Value* estimated = member(document, "estimated_time_s");
    const Value* job = member(document, "job");
    if (layers == nullptr || !layers->IsArray() || samples == nullptr || !samples->IsArray() ||
        snapshots == nullptr || !snapshots->IsArray() || estimated == nullptr ||
        !estimated->IsNumber() || job == nullptr || !job->IsObject()) {
        error = path + ": layers, snapshots, time_samples, estimated_time_s and job are required";
        return false;
    }
    timeline = JobTimeline{};
    timeline.total_s = estimated->GetDouble();
    timeline.snapshots = snapshots->Size();
    if (const Value* lines = member(*job, "lines"); lines != nullptr && lines->IsUint64())
        timeline.total_lines = lines->GetUint64();
    if (!read_layers(*layers, timeline, error) || !read_samples(*samples, timeline, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

}  // namespace strata::streamer
