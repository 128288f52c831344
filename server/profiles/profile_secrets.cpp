// Secrets in profile bodies (a camera's password) are write-only: what the API shows has
// `password_set` in their place, and a body stored without the field keeps the stored secret,
// so a form that shows a profile and saves it back does not erase what it never saw. An empty
// string clears it.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>

#include "strata/common/json_limits.hpp"
#include "strata/common/json_member.hpp"
#include "strata/server/profiles.hpp"

namespace strata::server {
namespace {

constexpr std::array<const char*, 1> secret_fields = {"password"};

bool parse_object(std::string_view body, rapidjson::Document& document) {
    if (json_too_deep_at(body) || json_nul_at(body) || !json_opens_object(body)) return false;
    document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    return !document.HasParseError() && document.IsObject();
}

std::string text_of(const rapidjson::Document& document) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    document.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

std::string without_secrets(ProfileKind kind, std::string_view body_json) {
    rapidjson::Document document;
    if (kind != ProfileKind::camera || !parse_object(body_json, document))
        return std::string(body_json);
    auto& allocator = document.GetAllocator();
    for (const char* field : secret_fields) {
        const rapidjson::Value* value = json_member(document, field);
        const bool present = value != nullptr;
        const bool set = present && value->IsString() && value->GetStringLength() > 0;
        if (present) document.RemoveMember(field);
        const std::string flag = std::string(field) + "_set";
        document.AddMember(rapidjson::Value(flag.c_str(), allocator), rapidjson::Value(set),
                           allocator);
    }
    return text_of(document);
}

std::string with_stored_secrets(ProfileKind kind, std::string_view body_json,
                                std::string_view stored_json) {
    rapidjson::Document document;
    rapidjson::Document stored;
    if (kind != ProfileKind::camera || !parse_object(body_json, document) ||
        !parse_object(stored_json, stored))
        return std::string(body_json);
    auto& allocator = document.GetAllocator();
    bool changed = false;
    for (const char* field : secret_fields) {
        const rapidjson::Value* kept = json_member(stored, field);
        if (json_member(document, field) != nullptr || kept == nullptr) continue;
        document.AddMember(rapidjson::Value(field, allocator), rapidjson::Value(*kept, allocator),
                           allocator);
        changed = true;
    }
    // A `password_set` read back from the API is no setting: it goes.
    for (const char* field : secret_fields) {
        const std::string flag = std::string(field) + "_set";
        if (document.HasMember(flag.c_str())) {
            document.RemoveMember(flag.c_str());
            changed = true;
        }
    }
    return changed ? text_of(document) : std::string(body_json);
}

}  // namespace strata::server
