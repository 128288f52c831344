// JobReader and clean_command (see strata/streamer/job.hpp).
#include <algorithm>
#include <charconv>

#include "strata/parser/lexer.hpp"
#include "strata/streamer/job.hpp"
#include "strata/streamer/protocol.hpp"

namespace strata::streamer {
namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

JobItem::Kind host_kind(const parser::GcodeLine& line, std::uint32_t& snapshot) {
    const std::string_view name = line.name;
    const auto is = [&](std::string_view word) {
        return name.size() == word.size() &&
               std::equal(name.begin(), name.end(), word.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == b;
               });
    };
    if (is("pause")) return JobItem::Kind::pause;
    if (is("resume")) return JobItem::Kind::resume;
    if (is("cancel") || is("abort")) return JobItem::Kind::cancel;
    if (is("strata")) {
        const std::string_view rest = line.string_argument;
        const std::size_t at = rest.find("n=");
        if (rest.rfind("SNAPSHOT", 0) == 0 && at != std::string_view::npos) {
            const auto [end, error] =
                std::from_chars(rest.data() + at + 2, rest.data() + rest.size(), snapshot);
            if (error == std::errc()) return JobItem::Kind::snapshot;
        }
    }
    return JobItem::Kind::host;
}

// The line before its `;` comment, from where the lexer found the comment; a line whose first
// comment is a `( )` one is searched for a `;` after it.
std::string_view code_part(std::string_view raw, const parser::GcodeLine& line) {
    const char* comment = line.comment.data();
    if (comment != nullptr && comment > raw.data() && comment <= raw.data() + raw.size() &&
        comment[-1] == ';')
        return raw.substr(0, static_cast<std::size_t>(comment - 1 - raw.data()));
    // No `;` comment where the lexer looked (none, a `( )` one first, a line it refused): the
    // whole line is searched, so no comment ever reaches the printer.
    return raw.substr(0, raw.find(';'));
}

}  // namespace

std::string_view clean_command(std::string_view raw, std::string& scratch) {
    return clean_lexed(raw, parser::lex_line(raw), scratch);
}

std::string_view clean_lexed(std::string_view raw, const parser::GcodeLine& line,
                             std::string& scratch) {
    std::string_view text = trim_blanks(code_part(raw, line));
    // The file's own `N` and `*`, which the protocol numbers afresh, only where the lexer saw them.
    if (line.has_line_number || line.has_checksum) text = strip_numbering(text);
    // Text arguments (M117 messages, file names) keep their spacing.
    if (text.empty() || !line.string_argument.empty()) return text;
    scratch.clear();
    bool blank = false;
    for (const char c : text) {
        if (is_blank(c)) {
            blank = true;
            continue;
        }
        if (blank) scratch += ' ';
        blank = false;
        scratch += c;
    }
    return scratch;
}

Status JobReader::open(const std::string& path) {
    return reader_.open(path);
}

bool JobReader::next(JobItem& item) {
    std::string_view raw;
    while (reader_.next(raw)) {
        parser::lex_line(raw, line_);  // Into the member: no 430-byte copy per job line.
        const parser::GcodeLine& line = line_;
        if (line.kind == parser::LineKind::empty || line.kind == parser::LineKind::comment)
            continue;
        item.line = reader_.line_number();
        if (line.kind == parser::LineKind::host_command) {
            item.kind = host_kind(line, item.snapshot);
            item.text = trim_blanks(raw);
            return true;
        }
        item.kind = JobItem::Kind::send;
        item.text = clean_lexed(raw, line, cleaned_);
        if (!item.text.empty()) return true;
    }
    return false;
}

}  // namespace strata::streamer
