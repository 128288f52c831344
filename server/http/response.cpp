// The small parts of the adapter's face: response builders, event streams, the two stock
// exchanges (answer at once; collect a small body), Range and query parsing.
#include <charconv>
#include <sstream>
#include <utility>

#include "strata/common/json_writer.hpp"
#include "strata/server/http.hpp"

namespace strata::server::http {
namespace {

// Error messages may quote user input. One string writer for all JSON strata writes: control
// characters escaped, bytes that are no valid UTF-8 written as U+FFFD (an echoed file name must not
// make the answer unreadable).
std::string json_quoted(std::string_view text) {
    std::ostringstream out;
    JsonWriter(out).value(text);
    return out.str();
}

class ImmediateExchange final : public Exchange {
  public:
    explicit ImmediateExchange(Response response) : response_(std::move(response)) {}
    // A small body is read and dropped so the connection stays usable; past that, stop.
    bool on_body(std::string_view bytes) override {
        dropped_bytes_ += bytes.size();
        return dropped_bytes_ <= std::size_t{64} * 1024;
    }
    Response finish() override { return std::move(response_); }
    [[nodiscard]] bool wants_body() const override { return false; }

  private:
    Response response_;
    std::size_t dropped_bytes_ = 0;
};

class CollectingExchange final : public Exchange {
  public:
    CollectingExchange(std::size_t max_body_bytes,
                       std::function<Response(std::string&& body)> handler)
        : max_body_bytes_(max_body_bytes), handler_(std::move(handler)) {}
    bool on_body(std::string_view bytes) override {
        if (body_.size() + bytes.size() > max_body_bytes_) {
            too_large_ = true;
            return false;
        }
        body_.append(bytes);
        return true;
    }
    Response finish() override {
        if (too_large_)
            return Response::error(
                413, "request body over " + std::to_string(max_body_bytes_) + " bytes");
        return handler_(std::move(body_));
    }

  private:
    std::size_t max_body_bytes_;
    std::function<Response(std::string&& body)> handler_;
    std::string body_;
    bool too_large_ = false;
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string form_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool parse_number(std::string_view text, std::uint64_t& value) {
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && code == std::errc() && end == text.data() + text.size();
}

}  // namespace

Response Response::json(int status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

Response Response::error(int status, std::string_view message) {
    return json(status, "{\"error\":" + json_quoted(message) + "}");
}

Response Response::empty(int status) {
    Response response;
    response.status = status;
    response.content_type.clear();
    return response;
}

void Response::add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
}

bool EventStream::push(std::string bytes) {
    Writer writer;
    {
        const std::lock_guard lock(mutex_);
        if (detached_ || !writer_) return false;
        writer = writer_;
    }
    if (writer(std::move(bytes))) return true;
    detach();
    return false;
}

bool EventStream::open() const {
    const std::lock_guard lock(mutex_);
    return !detached_ && writer_;
}

void EventStream::when_attached(std::function<void()> attached) {
    const std::lock_guard lock(mutex_);
    attached_ = std::move(attached);
}

void EventStream::attach(Writer writer) {
    std::function<void()> attached;
    {
        const std::lock_guard lock(mutex_);
        if (detached_) return;
        writer_ = std::move(writer);
        attached = std::move(attached_);
    }
    if (attached) attached();
}

void EventStream::detach() {
    const std::lock_guard lock(mutex_);
    detached_ = true;
    writer_ = nullptr;
}

void LaterAnswer::give(Response answer) {
    Writer writer;
    {
        const std::lock_guard lock(mutex_);
        if (done_ || given_) return;
        if (!writer_) {
            given_ = std::move(answer);
            return;
        }
        writer = std::move(writer_);
        done_ = true;
    }
    writer(std::move(answer));
}

void LaterAnswer::attach(Writer writer) {
    Response answer;
    {
        const std::lock_guard lock(mutex_);
        if (done_) return;
        if (!given_) {
            writer_ = std::move(writer);
            return;
        }
        answer = std::move(*given_);
        given_.reset();
        done_ = true;
    }
    writer(std::move(answer));
}

void LaterAnswer::detach() {
    const std::lock_guard lock(mutex_);
    done_ = true;
    writer_ = nullptr;
    given_.reset();
}

std::unique_ptr<Exchange> answer_now(Response response) {
    return std::make_unique<ImmediateExchange>(std::move(response));
}

std::unique_ptr<Exchange> collect_body(std::size_t max_body_bytes,
                                       std::function<Response(std::string&& body)> handler) {
    return std::make_unique<CollectingExchange>(max_body_bytes, std::move(handler));
}

RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& range) {
    constexpr std::string_view unit = "bytes=";
    if (header.substr(0, unit.size()) != unit) return RangeResult::whole;  // Unknown unit.
    std::string_view spec = header.substr(unit.size());
    spec = spec.substr(0, spec.find(','));
    while (!spec.empty() && spec.front() == ' ')
        spec.remove_prefix(1);
    while (!spec.empty() && spec.back() == ' ')
        spec.remove_suffix(1);
    const std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return RangeResult::whole;  // Malformed: ignored.
    const std::string_view first_text = spec.substr(0, dash);
    const std::string_view last_text = spec.substr(dash + 1);
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    if (first_text.empty()) {  // The last N bytes.
        if (!parse_number(last_text, last)) return RangeResult::whole;
        if (last == 0 || size == 0) return RangeResult::unsatisfiable;
        range.length = std::min(last, size);
        range.first = size - range.length;
        return RangeResult::slice;
    }
    if (!parse_number(first_text, first)) return RangeResult::whole;
    if (last_text.empty()) {
        last = size == 0 ? 0 : size - 1;
    } else if (!parse_number(last_text, last) || last < first) {
        return RangeResult::whole;
    }
    if (first >= size) return RangeResult::unsatisfiable;
    last = std::min(last, size - 1);
    range.first = first;
    range.length = last - first + 1;
    return RangeResult::slice;
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 101: return "Switching Protocols";
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted";
        case 204: return "No Content";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 413: return "Content Too Large";
        case 415: return "Unsupported Media Type";
        case 416: return "Range Not Satisfiable";
        case 426: return "Upgrade Required";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 503: return "Service Unavailable";
        case 507: return "Insufficient Storage";
        default: return "Status";
    }
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> pairs;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const std::size_t equals = pair.find('=');
        if (equals == std::string_view::npos)
            pairs.emplace_back(form_decode(pair), std::string());
        else
            pairs.emplace_back(form_decode(pair.substr(0, equals)),
                               form_decode(pair.substr(equals + 1)));
    }
    return pairs;
}

}  // namespace strata::server::http
