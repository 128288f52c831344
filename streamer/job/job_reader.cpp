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

}  // namespace

std::string_view clean_command(std::string_view raw, std::string& scratch) {
    const std::string_view code = trim_blanks(raw.substr(0, raw.find(';')));
    return clean_lexed(code, parser::lex_line(code), scratch);
}

std::string_view clean_lexed(std::string_view code, const parser::GcodeLine& line,
                             std::string& scratch) {
    const std::string_view text = strip_numbering(trim_blanks(code.substr(0, code.find(';'))));
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

bool JobReader::open(const std::string& path, std::string& error) {
    if (reader_.open(path)) return true;
    error = reader_.error();
    return false;
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

double JobTimeline::elapsed_at(std::uint64_t line) const {
    if (samples.empty()) return 0.0;
    const auto after =
        std::lower_bound(samples.begin(), samples.end(), line,
                         [](const Sample& s, std::uint64_t l) { return s.line < l; });
    if (after == samples.end()) return samples.back().elapsed_s;
    if (after == samples.begin() || after->line == line) return after->elapsed_s;
    const Sample& before = *(after - 1);
    const double fraction =
        static_cast<double>(line - before.line) / static_cast<double>(after->line - before.line);
    return before.elapsed_s + fraction * (after->elapsed_s - before.elapsed_s);
}

double JobTimeline::percent_at(std::uint64_t line) const {
    if (timed()) return std::clamp(100.0 * elapsed_at(line) / total_s, 0.0, 100.0);
    if (total_lines == 0) return 0.0;
    return 100.0 * std::min(1.0, static_cast<double>(line) / static_cast<double>(total_lines));
}

std::int64_t JobTimeline::layer_at(std::uint64_t line) const {
    const auto after =
        std::upper_bound(layers.begin(), layers.end(), line,
                         [](std::uint64_t l, const Layer& layer) { return l < layer.first_line; });
    return static_cast<std::int64_t>(after - layers.begin()) - 1;
}

}  // namespace strata::streamer
