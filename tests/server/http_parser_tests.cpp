// The HTTP adapter's parsers, fed as a socket would feed them: whole, byte by byte and split at
// every position. Requests: heads, pipelining, Content-Length and chunked bodies, and the
// answers for what is not acceptable (400, 413, 431, 501). Multipart: fields and files with
// delimiter look-alikes in the data, and at most a delimiter's length held back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "strata/server/http_parser.hpp"

namespace {

using namespace strata::server::http;

struct Seen {
    std::vector<RequestHead> heads;
    std::string body;
    int completed = 0;
    RequestParser::Callbacks callbacks() {
        return {[this](const RequestHead& head) { heads.push_back(head); },
                [this](std::string_view piece) { body += piece; }, [this] { ++completed; }};
    }
};

TEST(RequestParser, ReadsHeadsAndPipelinedRequests) {
    RequestParser parser;
    Seen seen;
    ASSERT_TRUE(
        parser.feed("\r\nGET /api/files/local/a%20b.gcode?recursive=true HTTP/1.1\r\n"
                    "Host: x\r\nX-Api-Key:  abc \r\n\r\n"
                    "GET /api/job HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                    "GET /api/version HTTP/1.0\r\n\r\n",
                    seen.callbacks()));
    ASSERT_EQ(seen.heads.size(), 3u);
    EXPECT_EQ(seen.completed, 3);
    const RequestHead& first = seen.heads[0];
    EXPECT_EQ(first.method, "GET");
    EXPECT_EQ(first.path, "/api/files/local/a b.gcode");
    EXPECT_EQ(first.query, "recursive=true");
    EXPECT_EQ(first.header("x-api-key"), "abc");
    EXPECT_TRUE(first.keep_alive);
    EXPECT_TRUE(seen.heads[1].keep_alive);
    EXPECT_FALSE(seen.heads[2].keep_alive);  // HTTP/1.0 closes unless asked.
}

TEST(RequestParser, BodiesArriveWholeHoweverTheBytesAreSplit) {
    const std::string sized = "POST /u HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world";
    const std::string chunked =
        "POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
    for (const std::string& request : {sized, chunked}) {
        for (std::size_t split = 0; split <= request.size(); ++split) {
            RequestParser parser;
            Seen seen;
            ASSERT_TRUE(parser.feed(request.substr(0, split), seen.callbacks()));
            ASSERT_TRUE(parser.feed(request.substr(split), seen.callbacks()))
                << parser.error().message;
            EXPECT_EQ(seen.body, "hello world") << "split at " << split;
            EXPECT_EQ(seen.completed, 1) << "split at " << split;
        }
        RequestParser parser;
        Seen seen;
        for (const char byte : request)
            ASSERT_TRUE(parser.feed({&byte, 1}, seen.callbacks()));
        EXPECT_EQ(seen.body, "hello world");
        EXPECT_EQ(seen.completed, 1);
    }
}

TEST(RequestParser, WhatIsNotAcceptableGetsItsStatus) {
    struct Case {
        std::string request;
        int status;
    };
    const Case cases[] = {
        {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"POST / HTTP/1.1\r\nContent-Length: 3x\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length: 2000\r\n\r\n", 413},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7d1\r\n", 413},
        {"GET http://x/ HTTP/1.1\r\n\r\n", 400},
        {"GET /%zz HTTP/1.1\r\n\r\n", 400},
        {"GET /a%00b HTTP/1.1\r\n\r\n", 400},
        {"PRI * HTTP/2.0\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nX: " + std::string(600, 'a') + "\r\n\r\n", 431},
        // Two codings are read differently by different servers (request smuggling).
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
         400},
        // A chunk size that would wrap the running total past zero.
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n"
         "FFFFFFFFFFFFFFFF\r\n",
         413},
    };
    for (const Case& c : cases) {
        RequestParser parser({512, 1000});
        Seen seen;
        EXPECT_FALSE(parser.feed(c.request, seen.callbacks())) << c.request;
        EXPECT_EQ(parser.error().status, c.status) << c.request << ": " << parser.error().message;
        EXPECT_FALSE(parser.feed("GET / HTTP/1.1\r\n\r\n", seen.callbacks()));  // Stays failed.
    }
}

// A head is accepted or refused by its size alone, never by how its bytes arrive: around the
// limit, every split gives the answer the whole head gets.
TEST(RequestParser, TheHeadLimitHoldsHoweverTheBytesAreSplit) {
    constexpr std::size_t limit = 256;
    const std::string start = "GET / HTTP/1.1\r\nX: ";
    for (std::size_t size = limit - 4; size <= limit + 4; ++size) {
        const std::string request = start + std::string(size - start.size() - 4, 'a') + "\r\n\r\n";
        ASSERT_EQ(request.size(), size);
        const bool fits = size <= limit;
        for (std::size_t split = 0; split <= request.size(); ++split) {
            RequestParser parser({limit, 1000});
            Seen seen;
            const bool accepted = parser.feed(request.substr(0, split), seen.callbacks()) &&
                                  parser.feed(request.substr(split), seen.callbacks());
            EXPECT_EQ(accepted, fits) << "head of " << size << " bytes split at " << split;
            EXPECT_EQ(seen.completed, fits ? 1 : 0);
        }
    }
}

struct Parts {
    std::vector<PartHead> heads;
    std::vector<std::string> data;
    int ended = 0;
    MultipartParser::Callbacks callbacks() {
        return {[this](const PartHead& head) {
                    heads.push_back(head);
                    data.emplace_back();
                },
                [this](std::string_view piece) { data.back() += piece; }, [this] { ++ended; }};
    }
};

TEST(MultipartParser, SplitsFieldsAndFilesHoweverTheBytesAreSplit) {
    // The file holds look-alikes of the delimiter that are not it.
    const std::string file = "G1 X1\r\n--bounda\r\n--boundar\r\nG1 X2\r\n-";
    const std::string body =
        "preamble\r\n--boundary\r\nContent-Disposition: form-data; name=\"select\"\r\n\r\n"
        "true\r\n--boundary\r\nContent-Disposition: form-data; name=\"file\"; "
        "filename=\"cube.gcode\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
        file + "\r\n--boundary--\r\nepilogue";
    for (std::size_t split = 0; split <= body.size(); ++split) {
        MultipartParser parser;
        std::string error;
        ASSERT_TRUE(parser.start("multipart/form-data; boundary=boundary").ok());
        Parts parts;
        ASSERT_TRUE(parser.feed(body.substr(0, split), parts.callbacks())) << parser.error();
        ASSERT_TRUE(parser.feed(body.substr(split), parts.callbacks())) << parser.error();
        ASSERT_TRUE(parser.finished()) << "split at " << split;
        ASSERT_EQ(parts.heads.size(), 2u) << "split at " << split;
        EXPECT_EQ(parts.ended, 2);
        EXPECT_EQ(parts.heads[0].name, "select");
        EXPECT_EQ(parts.data[0], "true");
        EXPECT_EQ(parts.heads[1].name, "file");
        EXPECT_EQ(parts.heads[1].filename, "cube.gcode");
        EXPECT_EQ(parts.heads[1].content_type, "application/octet-stream");
        EXPECT_EQ(parts.data[1], file) << "split at " << split;
    }
}

TEST(MultipartParser, HoldsBackNoMoreThanADelimiter) {
    MultipartParser parser;
    std::string error;
    ASSERT_TRUE(parser.start("multipart/form-data; boundary=\"----strata\"").ok());
    Parts parts;
    ASSERT_TRUE(
        parser.feed("------strata\r\nContent-Disposition: form-data; name=\"file\"; "
                    "filename=\"big.gcode\"\r\n\r\n",
                    parts.callbacks()));
    const std::string piece(std::size_t{64} * 1024, 'G');
    std::size_t most_held = 0;
    for (int i = 0; i < 80; ++i) {  // 5 MiB in 64 KiB pieces.
        ASSERT_TRUE(parser.feed(piece, parts.callbacks()));
        most_held = std::max(most_held, parser.held_bytes());
    }
    ASSERT_TRUE(parser.feed("\r\n------strata--\r\n", parts.callbacks()));
    EXPECT_TRUE(parser.finished());
    EXPECT_LE(most_held, std::string("\r\n------strata").size());
    ASSERT_EQ(parts.data.size(), 1u);
    EXPECT_EQ(parts.data[0].size(), 80u * 64 * 1024);
}

// `--b\r\n\r\n` is a part without headers: refused the same way however the body is split (its
// data once came back as its headers when the body arrived in one piece).
TEST(MultipartParser, APartWithoutHeadersIsRefusedHoweverTheBytesAreSplit) {
    const std::string body =
        "--b\r\n\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.gcode\"\r\n"
        "\r\nG1 X1\r\n--b--\r\n";
    for (std::size_t split = 0; split <= body.size(); ++split) {
        MultipartParser parser;
        std::string error;
        ASSERT_TRUE(parser.start("multipart/form-data; boundary=b").ok());
        Parts parts;
        const bool accepted = parser.feed(body.substr(0, split), parts.callbacks()) &&
                              parser.feed(body.substr(split), parts.callbacks());
        EXPECT_FALSE(accepted) << "split at " << split;
        EXPECT_EQ(parser.error(), "a part without a form field name") << "split at " << split;
        EXPECT_TRUE(parts.heads.empty()) << "split at " << split;
    }
}

TEST(MultipartParser, MistakesAreNamed) {
    MultipartParser parser;
    const strata::Status not_multipart = parser.start("application/json");
    ASSERT_FALSE(not_multipart.ok());
    EXPECT_EQ(not_multipart.error().message, "Content-Type: not multipart/form-data");
    const strata::Status no_boundary = parser.start("multipart/form-data");
    ASSERT_FALSE(no_boundary.ok());
    EXPECT_EQ(no_boundary.error().message, "Content-Type: no usable boundary");
    ASSERT_TRUE(parser.start("multipart/form-data; boundary=b").ok());
    Parts parts;
    EXPECT_FALSE(
        parser.feed("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", parts.callbacks()));
    EXPECT_EQ(parser.error(), "a part without a form field name");
    ASSERT_TRUE(parser.start("multipart/form-data; boundary=b").ok());
    EXPECT_FALSE(parser.feed("--bXX", parts.callbacks()));
    EXPECT_EQ(parser.error(), "malformed part headers");
}

}  // namespace
