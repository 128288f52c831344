// Reading a parsed JSON answer in tests by a dotted path ("job.file.name", "files.0.path"): a
// missing step is a test failure naming the path, not RapidJSON's assertion (its operator[]
// asserts on a missing member, and C++20 makes its iterator comparisons ambiguous).
#pragma once

#include <charconv>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace strata::testing {

/// `text` parsed as JSON; a parse error is a test failure that shows the text.
inline rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str());
    EXPECT_FALSE(document.HasParseError()) << text;
    return document;
}

/// The value at `path`, or nullptr when a step is missing.
inline const rapidjson::Value* find(const rapidjson::Value& root, std::string_view path) {
    const rapidjson::Value* value = &root;
    std::string_view rest = path;
    while (!rest.empty()) {
        const std::size_t dot = rest.find('.');
        const std::string_view step = rest.substr(0, dot);
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
        const rapidjson::Value* next = nullptr;
        std::size_t index = 0;
        const auto [end, code] = std::from_chars(step.data(), step.data() + step.size(), index);
        if (value->IsArray() && code == std::errc() && end == step.data() + step.size()) {
            if (index < value->Size()) next = &(*value)[static_cast<rapidjson::SizeType>(index)];
        } else if (value->IsObject()) {
            for (const auto& member : value->GetObject())
                if (std::string_view(member.name.GetString(), member.name.GetStringLength()) ==
                    step)
                    next = &member.value;
        }
        if (next == nullptr) return nullptr;
        value = next;
    }
    return value;
}

inline bool has(const rapidjson::Value& root, std::string_view path) {
    return find(root, path) != nullptr;
}

inline const rapidjson::Value& at(const rapidjson::Value& root, std::string_view path) {
    static const rapidjson::Value missing;  // Null.
    const rapidjson::Value* value = find(root, path);
    if (value == nullptr) {
        ADD_FAILURE() << "nothing at the path " << path;
        return missing;
    }
    return *value;
}

}  // namespace strata::testing
