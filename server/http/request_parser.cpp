// RequestParser: the head is collected until its blank line (capped), checked strictly (one
// framing only: Content-Length or chunked, never both, as request smuggling relies on the
// difference), then the body is passed through in the pieces it arrived in.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "ascii.hpp"
#include "strata/server/http_parser.hpp"

namespace strata::server::http {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool is_token(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 ||
               std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                   std::string_view::npos;
    });
}

// Percent-decoding of a path; false on a bad escape or an encoded NUL.
bool percent_decode(std::string_view text, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        unsigned value = 0;
        if (i + 2 >= text.size() ||
            std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr !=
                text.data() + i + 3 ||
            value == 0)
            return false;
        out += static_cast<char>(value);
        i += 2;
    }
    return true;
}

}  // namespace

std::optional<std::string_view> RequestHead::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key == name) return std::string_view(value);
    return std::nullopt;
}

bool RequestParser::fail(int status, std::string message) {
    failed_ = true;
    error_ = {status, std::move(message)};
    return false;
}

bool RequestParser::feed(std::string_view bytes, const Callbacks& callbacks) {
    while (!bytes.empty() && !failed_) {
        std::size_t used = 0;
        if (state_ == State::head)
            used = feed_head(bytes, callbacks);
        else if (state_ == State::body)
            used = feed_body(bytes, callbacks);
        else
            used = feed_chunked(bytes, callbacks);
        bytes.remove_prefix(used);
    }
    return !failed_;
}

std::size_t RequestParser::feed_head(std::string_view bytes, const Callbacks& callbacks) {
    if (buffer_.empty()) {  // Blank lines before a request line are allowed and ignored.
        const std::size_t start = bytes.find_first_not_of("\r\n");
        if (start == std::string_view::npos) return bytes.size();
        if (start > 0) return start;
    }
    const std::size_t searched_from = buffer_.size() >= 3 ? buffer_.size() - 3 : 0;
    buffer_.append(bytes);
    const std::size_t end = buffer_.find("\r\n\r\n", searched_from);
    // The limit counts the head with its blank line, so that it holds however the bytes are
    // split: without the blank line yet, a buffer of the limit's size can only grow past it.
    if (end == std::string::npos) {
        if (buffer_.size() >= limits_.max_head_bytes)
            fail(431, "request head over " + std::to_string(limits_.max_head_bytes) + " bytes");
        return bytes.size();
    }
    const std::size_t leftover = buffer_.size() - (end + 4);
    const std::string head = buffer_.substr(0, end + 2);
    buffer_.clear();
    if (end + 4 > limits_.max_head_bytes) {
        fail(431, "request head over " + std::to_string(limits_.max_head_bytes) + " bytes");
        return bytes.size();
    }
    parse_head(head, callbacks);
    return bytes.size() - leftover;
}

bool RequestParser::parse_head(std::string_view head, const Callbacks& callbacks) {
    RequestHead request;
    const std::size_t line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    const std::size_t first = line.find(' ');
    const std::size_t second = line.find(' ', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos)
        return fail(400, "malformed request line");
    request.method = std::string(line.substr(0, first));
    request.target = std::string(line.substr(first + 1, second - first - 1));
    const std::string_view version = line.substr(second + 1);
    if (!is_token(request.method)) return fail(400, "malformed method");
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return fail(400, "not HTTP/1.x");
    request.version_minor = version.back() - '0';
    if (request.target.empty() || request.target.front() != '/')
        return fail(400, "the target must be a path");
    const std::size_t question = request.target.find('?');
    if (!percent_decode(std::string_view(request.target).substr(0, question), request.path))
        return fail(400, "bad percent-encoding in the path");
    if (question != std::string::npos) request.query = request.target.substr(question + 1);
    std::string_view rest = head.substr(line_end + 2);
    std::optional<std::string> content_length;
    std::optional<std::string> transfer_encoding;
    while (!rest.empty()) {
        const std::size_t end = rest.find("\r\n");
        const std::string_view field = rest.substr(0, end);
        rest.remove_prefix(end + 2);
        const std::size_t colon = field.find(':');
        if (colon == std::string_view::npos || !is_token(field.substr(0, colon)))
            return fail(400, "malformed header line");
        std::string name = lower(field.substr(0, colon));
        std::string value(trim(field.substr(colon + 1)));
        if (name == "content-length") {
            if (content_length && *content_length != value)
                return fail(400, "conflicting Content-Length headers");
            content_length = value;
        } else if (name == "transfer-encoding") {
            // Two of them are read differently by different servers and proxies (smuggling).
            if (transfer_encoding) return fail(400, "more than one Transfer-Encoding header");
            transfer_encoding = lower(value);
        }
        request.headers.emplace_back(std::move(name), std::move(value));
    }
    if (content_length && transfer_encoding)
        return fail(400, "both Content-Length and Transfer-Encoding");
    if (transfer_encoding) {
        if (*transfer_encoding != "chunked") return fail(501, "unsupported transfer coding");
        request.chunked = true;
    }
    if (content_length) {
        const auto& text = *content_length;
        const auto [end, code] =
            std::from_chars(text.data(), text.data() + text.size(), request.content_length);
        if (text.empty() || code != std::errc() || end != text.data() + text.size())
            return fail(400, "malformed Content-Length");
        if (request.content_length > limits_.max_body_bytes)
            return fail(413, "body over " + std::to_string(limits_.max_body_bytes) + " bytes");
    }
    const std::string connection = lower(request.header("connection").value_or(""));
    request.keep_alive =
        request.version_minor == 1 ? connection != "close" : connection == "keep-alive";
    body_bytes_ = 0;
    remaining_ = request.content_length;
    const bool chunked = request.chunked;
    if (callbacks.on_head) callbacks.on_head(request);
    if (chunked)
        state_ = State::chunk_size;
    else if (remaining_ > 0)
        state_ = State::body;
    else
        finish(callbacks);
    return true;
}

std::size_t RequestParser::feed_body(std::string_view bytes, const Callbacks& callbacks) {
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
    if (callbacks.on_body) callbacks.on_body(bytes.substr(0, take));
    remaining_ -= take;
    if (remaining_ == 0) finish(callbacks);
    return take;
}

std::size_t RequestParser::feed_chunked(std::string_view bytes, const Callbacks& callbacks) {
    if (state_ == State::chunk_data) {
        const std::size_t used = feed_body(bytes, callbacks);
        return used;
    }
    // chunk_size, chunk_end and trailer read lines.
    const std::size_t newline = bytes.find('\n');
    const std::size_t used = newline == std::string_view::npos ? bytes.size() : newline + 1;
    buffer_.append(bytes.substr(0, used));
    if (buffer_.size() > 4096) {
        fail(400, "chunk framing line too long");
        return used;
    }
    if (newline == std::string_view::npos) return used;
    std::string line = std::move(buffer_);
    buffer_.clear();
    if (line.size() < 2 || line[line.size() - 2] != '\r') {
        fail(400, "chunk framing line without CRLF");
        return used;
    }
    line.resize(line.size() - 2);
    if (state_ == State::chunk_end) {
        if (!line.empty()) fail(400, "chunk data longer than its size");
        state_ = State::chunk_size;
    } else if (state_ == State::trailer) {
        if (line.empty()) finish(callbacks);  // Trailer fields, if any, are skipped.
    } else {
        std::uint64_t size = 0;
        const std::string_view digits = std::string_view(line).substr(0, line.find(';'));
        const auto [end, code] =
            std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
        if (digits.empty() || code != std::errc() || end != digits.data() + digits.size()) {
            fail(400, "malformed chunk size");
        } else if (size == 0) {
            state_ = State::trailer;
        } else if (size > limits_.max_body_bytes - body_bytes_) {  // Cannot wrap: body <= max.
            fail(413, "body over " + std::to_string(limits_.max_body_bytes) + " bytes");
        } else {
            body_bytes_ += size;
            remaining_ = size;
            state_ = State::chunk_data;
        }
    }
    return used;
}

void RequestParser::finish(const Callbacks& callbacks) {
    if (state_ == State::chunk_data) {  // The end of a chunk, not of the request.
        state_ = State::chunk_end;
        return;
    }
    state_ = State::head;
    buffer_.clear();
    if (callbacks.on_complete) callbacks.on_complete();
}

}  // namespace strata::server::http
