// Looking a member up in a RapidJSON object by name, by walking its members: RapidJSON's
// `FindMember() == MemberEnd()` is an ambiguous comparison in C++20, and its `operator[]` on a
// missing name returns a shared static value (an assertion in debug builds).
#pragma once

#include <string_view>

#include <rapidjson/document.h>

namespace strata {

/// The member `name` of `object`, or nullptr when `object` is no object or has no such member.
inline const rapidjson::Value* json_member(const rapidjson::Value& object, std::string_view name) {
    if (!object.IsObject()) return nullptr;
    for (const auto& member : object.GetObject())
        if (std::string_view(member.name.GetString(), member.name.GetStringLength()) == name)
            return &member.value;
    return nullptr;
}

/// The same, to change the member in place.
inline rapidjson::Value* json_member(rapidjson::Value& object, std::string_view name) {
    return const_cast<rapidjson::Value*>(  // NOLINT(cppcoreguidelines-pro-type-const-cast)
        json_member(static_cast<const rapidjson::Value&>(object), name));
}

}  // namespace strata
