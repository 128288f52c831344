// A request body as fields: JSON (RapidJSON, read through its getters only: its == against plain
// values recurses forever in C++20) or a urlencoded form, which OctoPrint accepts for login and
// commands too. Missing and mistyped fields are told apart, so errors can name the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "strata/common/result.hpp"
#include "strata/server/http.hpp"

namespace strata::server::api {

struct Call;

class JsonBody {
  public:
    /// `invalid`, saying where, when the body is neither a JSON object nor a form.
    [[nodiscard]] Status parse(const std::string& body, std::string_view content_type);

    [[nodiscard]] bool has(const char* name) const;
    [[nodiscard]] std::optional<std::string> string(const char* name) const;
    /// OctoPrint's booleans: JSON true/false, or true/yes/y/1 as text or number.
    [[nodiscard]] std::optional<bool> flag(const char* name) const;
    [[nodiscard]] std::optional<double> number(const char* name) const;
    /// An array of strings (or one string, as a one-element list).
    [[nodiscard]] std::optional<std::vector<std::string>> strings(const char* name) const;
    [[nodiscard]] const rapidjson::Value* value(const char* name) const;
    [[nodiscard]] const rapidjson::Value& root() const { return document_; }

  private:
    rapidjson::Document document_;
};

/// Reads the call's body into `body`; the 400 answer naming what is wrong when it cannot.
[[nodiscard]] std::optional<http::Response> read_body(const Call& call, JsonBody& body);
/// The same, with OctoPrint's mandatory `command` field.
[[nodiscard]] std::optional<http::Response> read_command(const Call& call, JsonBody& body,
                                                         std::string& command);

}  // namespace strata::server::api
