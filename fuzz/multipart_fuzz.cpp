// Fuzz target: the multipart/form-data parser (server/http/multipart_parser.cpp), as uploads
// from PrusaSlicer, Cura and browsers reach it. The input's first line is the request's
// Content-Type, the rest the body. The parts (names, file names, types, data) and the error
// must be the same however the body is cut, and the parser may hold back no more than a part
// head or a delimiter's length between reads.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "strata/server/http_parser.hpp"

namespace {

using strata::server::http::MultipartParser;
using strata::server::http::PartHead;

constexpr std::size_t max_part_head_bytes = std::size_t{16} * 1024;

std::string transcript(std::string_view content_type, const std::vector<std::string_view>& cut) {
    MultipartParser parser;
    if (const strata::Status started = parser.start(content_type); !started)
        return "refused " + started.error().message;
    std::string seen;
    std::string data;
    bool in_part = false;
    MultipartParser::Callbacks callbacks;
    callbacks.on_part = [&](const PartHead& part) {
        strata::fuzz::require(!in_part, "a part began inside another");
        in_part = true;
        seen += "part [" + part.name + "] [" + part.filename + "] [" + part.content_type + "]\n";
    };
    callbacks.on_data = [&](std::string_view piece) {
        strata::fuzz::require(in_part, "data outside a part");
        data += piece;
    };
    callbacks.on_part_end = [&] {
        strata::fuzz::require(in_part, "a part ended that had not begun");
        in_part = false;
        seen += "data " + std::to_string(data.size()) + " [" + data + "]\nend\n";
        data.clear();
    };
    const std::size_t limit = max_part_head_bytes + content_type.size() + 8;
    for (const std::string_view piece : cut) {
        if (!parser.feed(piece, callbacks)) return seen + "error " + parser.error() + "\n";
        strata::fuzz::require(parser.held_bytes() <= limit, "more than a part head held back");
    }
    return seen + (parser.finished() ? "finished" : "unfinished") + " open data " +
           std::to_string(data.size()) + "\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    if (newline == std::string_view::npos) return 0;
    const std::string_view content_type = input.substr(0, newline);
    const std::string_view body = input.substr(newline + 1);
    const std::string whole = transcript(content_type, {body});
    strata::fuzz::require(
        transcript(content_type, strata::fuzz::pieces(body, strata::fuzz::seed_of(input))) == whole,
        "pieces of random sizes read differently from one read");
    if (body.size() <= 4096)
        strata::fuzz::require(transcript(content_type, strata::fuzz::single_bytes(body)) == whole,
                              "byte-by-byte reads differ from one read");
    return 0;
}
