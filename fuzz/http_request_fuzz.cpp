// Fuzz target: the HTTP/1.1 request parser (server/http/request_parser.cpp). What the parser
// makes of a byte stream (heads, bodies, request ends, the error and its status) must be the
// same whether the stream arrives in one read, byte by byte or in pieces of any size: TCP
// decides the pieces, so any difference is a bug a client can aim at (smuggling, limits that
// hold only in one read). Run under default limits and under small ones, where the limits bite.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "strata/server/http_parser.hpp"

namespace {

using strata::server::http::RequestHead;
using strata::server::http::RequestParser;

// Everything the parser reported, in order, as text: two transcripts are equal when the
// application would have seen the same requests.
std::string transcript(std::string_view stream, const std::vector<std::string_view>& cut,
                       RequestParser::Limits limits) {
    RequestParser parser(limits);
    std::string seen;
    std::string body;
    RequestParser::Callbacks callbacks;
    callbacks.on_head = [&](RequestHead& head) {
        seen.append("head ").append(head.method).append(" [").append(head.target);
        seen.append("] [").append(head.path).append("] [").append(head.query).append("] 1.");
        seen.append(std::to_string(head.version_minor)).append(" length ");
        seen.append(std::to_string(head.content_length));
        seen.append(head.chunked ? " chunked" : "").append(head.keep_alive ? " keep-alive" : "");
        seen.append("\n");
        for (const auto& [name, value] : head.headers)
            seen.append("  ").append(name).append(": ").append(value).append("\n");
    };
    callbacks.on_body = [&](std::string_view piece) {
        strata::fuzz::require(!piece.empty(), "an empty body piece");
        body += piece;
    };
    callbacks.on_complete = [&] {
        seen += "body " + std::to_string(body.size()) + " [" + body + "]\ncomplete\n";
        body.clear();
    };
    bool ok = true;
    for (const std::string_view piece : cut) {
        ok = parser.feed(piece, callbacks);
        if (!ok) break;
    }
    (void)stream;
    if (!ok) {
        const int status = parser.error().status;
        strata::fuzz::require(
            status == 400 || status == 413 || status == 431 || status == 501 || status == 505,
            "an error status outside 400/413/431/501/505");
        strata::fuzz::require(!parser.error().message.empty(), "an error without a message");
        seen += "error " + std::to_string(status) + " " + parser.error().message + "\n";
    } else {
        // A body still arriving is part of what was seen, however it was cut.
        seen += "open body " + std::to_string(body.size()) + "\n";
    }
    return seen;
}

void compare(std::string_view stream, RequestParser::Limits limits) {
    const std::string whole = transcript(stream, {stream}, limits);
    strata::fuzz::require(
        transcript(stream, strata::fuzz::pieces(stream, strata::fuzz::seed_of(stream)), limits) ==
            whole,
        "pieces of random sizes read differently from one read");
    if (stream.size() <= 4096)
        strata::fuzz::require(
            transcript(stream, strata::fuzz::single_bytes(stream), limits) == whole,
            "byte-by-byte reads differ from one read");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view stream(reinterpret_cast<const char*>(data), size);
    compare(stream, RequestParser::Limits{});
    compare(stream, RequestParser::Limits{256, 1024});
    return 0;
}
