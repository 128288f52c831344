// Incremental parsers for the HTTP adapter: HTTP/1.1 requests and multipart/form-data bodies,
// fed bytes as they come off the socket and calling back with the head and with body pieces,
// never holding a whole body. This is what lets a 500 MB upload stream to disk in bounded
// memory: Pistache 0.0.5 buffers every request whole, and its parser cannot be handed bytes
// back from a subclass (Http::Handler::onInput is private), so the adapter parses for itself.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/common/result.hpp"

namespace strata::server::http {

struct RequestHead {
    std::string method;
    std::string target;  ///< As sent: path and query.
    std::string path;    ///< Percent-decoded, without the query.
    std::string query;   ///< After '?', raw.
    int version_minor = 1;
    std::vector<std::pair<std::string, std::string>> headers;  ///< Names in lower case.
    std::uint64_t content_length = 0;
    bool chunked = false;
    bool keep_alive = true;

    /// The first header of that (lower-case) name.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

struct ParseError {
    int status = 400;  ///< What to answer: 400, 413, 431, 501.
    std::string message;
};

class RequestParser {
  public:
    struct Limits {
        std::size_t max_head_bytes = std::size_t{16} * 1024;
        std::uint64_t max_body_bytes = 2ULL << 30U;
    };
    struct Callbacks {
        std::function<void(RequestHead&)> on_head;      ///< May take the head away.
        std::function<void(std::string_view)> on_body;  ///< Decoded body bytes, in pieces.
        std::function<void()> on_complete;              ///< The request's last byte was read.
    };

    explicit RequestParser(Limits limits) : limits_(limits) {}
    RequestParser() : RequestParser(Limits{}) {}

    /// Consumes `bytes` (every request in them, for pipelined keep-alive); false once the
    /// stream is not HTTP, with `error()` saying what to answer. Nothing more may be fed then.
    bool feed(std::string_view bytes, const Callbacks& callbacks);
    [[nodiscard]] const ParseError& error() const { return error_; }
    /// Whether part of a request head has come and its end has not.
    [[nodiscard]] bool mid_head() const { return state_ == State::head && !buffer_.empty(); }

  private:
    enum class State : std::uint8_t { head, body, chunk_size, chunk_data, chunk_end, trailer };
    bool fail(int status, std::string message);
    bool parse_head(std::string_view head, const Callbacks& callbacks);
    std::size_t feed_head(std::string_view bytes, const Callbacks& callbacks);
    std::size_t feed_body(std::string_view bytes, const Callbacks& callbacks);
    std::size_t feed_chunked(std::string_view bytes, const Callbacks& callbacks);
    void finish(const Callbacks& callbacks);

    Limits limits_;
    State state_ = State::head;
    std::string buffer_;  ///< The head (or a chunk-size line) being collected.
    std::uint64_t remaining_ = 0;
    std::uint64_t body_bytes_ = 0;
    bool failed_ = false;
    ParseError error_;
};

/// One part's headers, as multipart/form-data gives them.
struct PartHead {
    std::string name;      ///< The form field's name.
    std::string filename;  ///< Empty for a plain field.
    std::string content_type;
};

/// Splits a multipart/form-data body into parts, fed in pieces; holds at most a boundary's
/// length of body between calls.
class MultipartParser {
  public:
    struct Callbacks {
        std::function<void(const PartHead&)> on_part;
        std::function<void(std::string_view)> on_data;
        std::function<void()> on_part_end;
    };

    /// `content_type` is the request's; refused when it has no boundary.
    [[nodiscard]] Status start(std::string_view content_type);
    /// False once the body is not well-formed multipart (`error()` says where).
    bool feed(std::string_view bytes, const Callbacks& callbacks);
    /// Whether the closing boundary was seen.
    [[nodiscard]] bool finished() const { return state_ == State::done; }
    [[nodiscard]] const std::string& error() const { return error_; }
    /// Body bytes held back between calls (part headers, a possible delimiter start).
    [[nodiscard]] std::size_t held_bytes() const { return buffer_.size(); }

  private:
    enum class State : std::uint8_t { preamble, part_head, part_data, done };
    bool parse_part_head(std::string_view head, const Callbacks& callbacks);
    std::string delimiter_;  ///< "\r\n--" + boundary.
    std::string buffer_;
    State state_ = State::preamble;
    std::string error_;
};

}  // namespace strata::server::http
