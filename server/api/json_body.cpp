// JsonBody: a form is turned into a JSON object of strings, so handlers read both alike.
#include "json_body.hpp"

#include <rapidjson/error/en.h>

#include <cmath>

#include "api.hpp"
#include "strata/common/json_limits.hpp"
#include "strata/common/json_member.hpp"

namespace strata::server::api {

Status JsonBody::parse(const std::string& body, std::string_view content_type) {
    if (content_type.starts_with("application/x-www-form-urlencoded")) {
        document_.SetObject();
        auto& allocator = document_.GetAllocator();
        for (const auto& [name, value] : http::parse_query(body))
            document_.AddMember(rapidjson::Value(name.c_str(), allocator),
                                rapidjson::Value(value.c_str(), allocator), allocator);
        return {};
    }
    if (body.empty()) {
        document_.SetObject();
        return {};
    }
    if (const auto deep = json_too_deep_at(body))
        return fail(ErrorCode::invalid,
                    "the body is not JSON this server reads: nested deeper "
                    "than " +
                        std::to_string(max_json_depth) + " levels at byte " +
                        std::to_string(*deep));
    if (const auto nul = json_nul_at(body))
        return fail(ErrorCode::invalid,
                    "the body is not JSON: a NUL byte at byte " + std::to_string(*nul));
    document_.Parse<rapidjson::kParseValidateEncodingFlag>(body.c_str(), body.size());
    if (document_.HasParseError())
        return fail(ErrorCode::invalid, std::string("the body is not JSON: ") +
                                            rapidjson::GetParseError_En(document_.GetParseError()) +
                                            " at byte " +
                                            std::to_string(document_.GetErrorOffset()));
    if (!document_.IsObject() || !json_opens_object(body))
        return fail(ErrorCode::invalid, "the body must be a JSON object");
    return {};
}

const rapidjson::Value* JsonBody::value(const char* name) const {
    return json_member(document_, name);
}

bool JsonBody::has(const char* name) const {
    return value(name) != nullptr;
}

std::optional<std::string> JsonBody::string(const char* name) const {
    const rapidjson::Value* found = value(name);
    if (found == nullptr || !found->IsString()) return std::nullopt;
    return std::string(found->GetString(), found->GetStringLength());
}

std::optional<bool> JsonBody::flag(const char* name) const {
    const rapidjson::Value* found = value(name);
    if (found == nullptr) return std::nullopt;
    if (found->IsBool()) return found->GetBool();
    if (found->IsString())
        return truthy(std::string_view(found->GetString(), found->GetStringLength()));
    if (found->IsNumber()) return found->GetDouble() == 1.0;
    return std::nullopt;
}

std::optional<double> JsonBody::number(const char* name) const {
    const rapidjson::Value* found = value(name);
    if (found == nullptr) return std::nullopt;
    if (found->IsNumber()) return found->GetDouble();
    if (found->IsString()) {
        // strtod reads "nan" and "inf" too: no number strata writes into G-code may be either.
        char* end = nullptr;
        const double parsed = std::strtod(found->GetString(), &end);
        if (end != found->GetString() && *end == '\0' && std::isfinite(parsed)) return parsed;
    }
    return std::nullopt;
}

std::optional<std::vector<std::string>> JsonBody::strings(const char* name) const {
    const rapidjson::Value* found = value(name);
    if (found == nullptr) return std::nullopt;
    std::vector<std::string> out;
    if (found->IsString()) {
        out.emplace_back(found->GetString(), found->GetStringLength());
        return out;
    }
    if (!found->IsArray()) return std::nullopt;
    for (const auto& item : found->GetArray()) {
        if (!item.IsString()) return std::nullopt;
        out.emplace_back(item.GetString(), item.GetStringLength());
    }
    return out;
}

std::optional<http::Response> read_body(const Call& call, JsonBody& body) {
    const Status parsed = body.parse(call.body, call.head.header("content-type").value_or(""));
    if (parsed) return std::nullopt;
    return http::Response::error(400, parsed.error().message);
}

std::optional<http::Response> read_command(const Call& call, JsonBody& body, std::string& command) {
    if (std::optional<http::Response> refused = read_body(call, body)) return refused;
    const std::optional<std::string> found = body.string("command");
    if (!found) return http::Response::error(400, "Mandatory parameters missing: command");
    command = *found;
    return std::nullopt;
}

}  // namespace strata::server::api
