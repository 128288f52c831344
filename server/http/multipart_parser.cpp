// MultipartParser: the body is scanned for "\r\n--boundary"; part data is handed on as soon as it
// cannot be the start of a delimiter, so only a delimiter's length of it is ever held back.
#include <algorithm>
#include <cctype>

#include "ascii.hpp"
#include "strata/server/http_parser.hpp"

namespace strata::server::http {
namespace {

constexpr std::size_t max_part_head_bytes = std::size_t{16} * 1024;

// The value of parameter `name` in a header value like `form-data; name="file"; filename="a"`.
std::string parameter(std::string_view value, std::string_view name) {
    const std::string folded = lower(value);
    std::size_t at = 0;
    while ((at = folded.find(name, at)) != std::string::npos) {
        const bool starts = at == 0 || folded[at - 1] == ';' || folded[at - 1] == ' ';
        const std::size_t equals = at + name.size();
        if (!starts || equals >= folded.size() || folded[equals] != '=') {
            at = equals;
            continue;
        }
        std::string_view rest = value.substr(equals + 1);
        if (!rest.empty() && rest.front() == '"') {
            rest.remove_prefix(1);
            return std::string(rest.substr(0, rest.find('"')));
        }
        return std::string(rest.substr(0, rest.find(';')));
    }
    return {};
}

}  // namespace

Status MultipartParser::start(std::string_view content_type) {
    const std::string folded = lower(content_type);
    if (folded.rfind("multipart/form-data", 0) != 0)
        return fail(ErrorCode::invalid, "Content-Type: not multipart/form-data");
    const std::string boundary = parameter(content_type, "boundary");
    if (boundary.empty() || boundary.size() > 70)
        return fail(ErrorCode::invalid, "Content-Type: no usable boundary");
    delimiter_ = "\r\n--" + boundary;
    buffer_ = "\r\n";  // The first delimiter has no line break before it.
    state_ = State::preamble;
    error_.clear();
    return {};
}

bool MultipartParser::parse_part_head(std::string_view head, const Callbacks& callbacks) {
    PartHead part;
    while (!head.empty()) {
        const std::size_t end = head.find("\r\n");
        const std::string_view line = head.substr(0, end);
        head.remove_prefix(end == std::string_view::npos ? head.size() : end + 2);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string name = lower(line.substr(0, colon));
        const std::string_view value = line.substr(colon + 1);
        if (name == "content-disposition") {
            part.name = parameter(value, "name");
            part.filename = parameter(value, "filename");
        } else if (name == "content-type") {
            std::string_view type = value;
            while (!type.empty() && type.front() == ' ')
                type.remove_prefix(1);
            part.content_type = std::string(type);
        }
    }
    if (part.name.empty()) {
        error_ = "a part without a form field name";
        return false;
    }
    if (callbacks.on_part) callbacks.on_part(part);
    return true;
}

bool MultipartParser::feed(std::string_view bytes, const Callbacks& callbacks) {
    if (!error_.empty()) return false;
    buffer_.append(bytes);
    for (;;) {
        if (state_ == State::done) {
            buffer_.clear();  // The epilogue is ignored.
            return true;
        }
        if (state_ == State::part_head) {
            if (buffer_.size() < 2) return true;
            if (buffer_.compare(0, 2, "--") == 0) {
                state_ = State::done;
                continue;
            }
            const std::size_t end = buffer_.find("\r\n\r\n");
            if (buffer_.compare(0, 2, "\r\n") != 0 ||
                (end == std::string::npos && buffer_.size() > max_part_head_bytes)) {
                error_ = "malformed part headers";
                return false;
            }
            if (end == std::string::npos) return true;
            // `\r\n\r\n` right after the delimiter: a part without headers (whose data must
            // not be read as its headers).
            const std::string_view head =
                end == 0 ? std::string_view() : std::string_view(buffer_).substr(2, end - 2);
            if (!parse_part_head(head, callbacks)) return false;
            buffer_.erase(0, end + 4);
            state_ = State::part_data;
            continue;
        }
        const std::size_t found = buffer_.find(delimiter_);
        if (found == std::string::npos) {
            // Everything but a possible start of the delimiter can go on now.
            const std::size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
            const std::size_t ready = buffer_.size() - keep;
            if (state_ == State::part_data && ready > 0 && callbacks.on_data)
                callbacks.on_data(std::string_view(buffer_).substr(0, ready));
            buffer_.erase(0, ready);
            return true;
        }
        if (state_ == State::part_data) {
            if (found > 0 && callbacks.on_data)
                callbacks.on_data(std::string_view(buffer_).substr(0, found));
            if (callbacks.on_part_end) callbacks.on_part_end();
        }
        buffer_.erase(0, found + delimiter_.size());
        state_ = State::part_head;
    }
}

}  // namespace strata::server::http
