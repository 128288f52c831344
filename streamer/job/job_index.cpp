// load_job_index (see strata/streamer/job.hpp): prep's index, read with RapidJSON. Values are
// checked by type before use and strings compared as std::string_view (RapidJSON's own
// operator== misbehaves in C++20, reference/dependencies.md pitfall 3).
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <fstream>
#include <sstream>
#include <string_view>

#include "strata/streamer/job.hpp"

namespace strata::streamer {
namespace {

using Value = rapidjson::Value;

bool read_layers(const Value& layers, JobTimeline& timeline, std::string& error) {
    for (rapidjson::SizeType i = 0; i < layers.Size(); ++i) {
        const Value& layer = layers[i];
        if (!layer.IsObject() || !layer.HasMember("first_line") ||
            !layer["first_line"].IsUint64() || !layer.HasMember("z_mm") ||
            !layer["z_mm"].IsNumber()) {
            error = "layers[" + std::to_string(i) + "] needs first_line and z_mm";
            return false;
        }
        timeline.layers.push_back({layer["first_line"].GetUint64(), layer["z_mm"].GetDouble()});
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
    rapidjson::Document document;
    document.Parse(text.str().c_str());
    if (document.HasParseError()) {
        error = path + ": " + rapidjson::GetParseError_En(document.GetParseError()) +
                " at offset " + std::to_string(document.GetErrorOffset());
        return false;
    }
    const auto has = [&](const char* name, bool (Value::*is)() const) {
        return document.IsObject() && document.HasMember(name) && (document[name].*is)();
    };
    if (!has("format", &Value::IsString) ||
        std::string_view(document["format"].GetString()) != "strata-job-index") {
        error = path + ": format is not strata-job-index";
        return false;
    }
    if (!has("layers", &Value::IsArray) || !has("time_samples", &Value::IsArray) ||
        !has("snapshots", &Value::IsArray) || !has("estimated_time_s", &Value::IsNumber) ||
        !has("job", &Value::IsObject)) {
        error = path + ": layers, snapshots, time_samples, estimated_time_s and job are required";
        return false;
    }
    timeline = JobTimeline{};
    timeline.total_s = document["estimated_time_s"].GetDouble();
    timeline.snapshots = document["snapshots"].Size();
    const Value& job = document["job"];
    if (job.HasMember("lines") && job["lines"].IsUint64())
        timeline.total_lines = job["lines"].GetUint64();
    if (!read_layers(document["layers"], timeline, error) ||
        !read_samples(document["time_samples"], timeline, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

}  // namespace strata::streamer
