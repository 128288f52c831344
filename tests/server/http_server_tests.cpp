// The HTTP adapter on a real loopback socket: keep-alive JSON, small bodies and their limit,
// file bodies with Range, an event stream pushed from another thread, and what a malformed
// request gets. A client is cpp-httplib, or a raw socket where the bytes themselves matter.
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "../support/loopback.hpp"
#include "../support/test_directory.hpp"
#include "strata/server/http.hpp"

namespace strata::server::http {
namespace {

class TestApplication final : public Application {
  public:
    std::string file_path;
    std::shared_ptr<EventStream> stream = std::make_shared<EventStream>();

    // `/later`: answered by the test, from a thread of its own, when it calls `give_later`.
    // `/later-now`: answered by another thread before the adapter has even seen the response.
    std::shared_ptr<LaterAnswer> wait_for_later() {
        std::unique_lock lock(later_mutex_);
        later_arrived_.wait_for(lock, std::chrono::seconds(5),
                                [this] { return later_ != nullptr; });
        return std::exchange(later_, nullptr);
    }
    static void give_later(const std::shared_ptr<LaterAnswer>& later, std::string body) {
        std::thread([later, body = std::move(body)] {
            later->give(Response::json(200, body));
        }).join();
    }

    std::unique_ptr<Exchange> begin(RequestHead head, const Peer& peer) override {
        if (head.path == "/later" || head.path == "/later-now") {
            Response response;
            response.later = std::make_shared<LaterAnswer>();
            if (head.path == "/later-now") {
                give_later(response.later, "{\"now\":true}");
            } else {
                const std::lock_guard lock(later_mutex_);
                later_ = response.later;
                later_arrived_.notify_all();
            }
            return answer_now(std::move(response));
        }
        if (head.path == "/hello")
            return answer_now(Response::json(200, "{\"peer\":\"" + peer.address + "\"}"));
        if (head.path == "/echo")
            return collect_body(16, [](std::string&& body) {
                Response response = Response::json(200, std::move(body));
                response.content_type = "text/plain";
                return response;
            });
        if (head.path == "/file") {
            Response response;
            response.content_type = "application/octet-stream";
            const std::uint64_t size = std::filesystem::file_size(file_path);
            ByteRange range{0, size};
            const auto header = head.header("range");
            const RangeResult result =
                header ? parse_range(*header, size, range) : RangeResult::whole;
            if (result == RangeResult::unsatisfiable)
                return answer_now(Response::error(416, "no such range"));
            if (result == RangeResult::slice) {
                response.status = 206;
                response.add_header("Content-Range",
                                    "bytes " + std::to_string(range.first) + "-" +
                                        std::to_string(range.first + range.length - 1) + "/" +
                                        std::to_string(size));
            }
            response.file = FileBody{file_path, range.first, range.length};
            return answer_now(std::move(response));
        }
        if (head.path == "/events") {
            Response response;
            response.content_type = "text/event-stream";
            response.stream = stream;
            return answer_now(std::move(response));
        }
        return answer_now(Response::error(404, "no route " + head.path));
    }

  private:
    std::mutex later_mutex_;
    std::condition_variable later_arrived_;
    std::shared_ptr<LaterAnswer> later_;
};

class HttpServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = testing::test_directory("http_server");
        std::filesystem::create_directories(directory_);
        application_.file_path = directory_ / "data.bin";
        std::ofstream out(application_.file_path, std::ios::binary);
        for (int i = 0; i < 1'000'000; ++i)
            out.put(static_cast<char>(i * 7 % 251));
        out.close();
        ServerOptions options;
        options.port = 0;
        options.threads = threads();
        options.idle_timeout_s = idle_timeout_s();
        options.head_timeout_s = head_timeout_s();
        server_ = std::make_unique<HttpServer>(options, application_);
        const strata::Status started = server_->start();
        ASSERT_TRUE(started) << started.error().message;
    }

    // Long enough that a test thread starved of CPU on a loaded machine is not taken for an
    // idle client (a 1 s limit here once reset a connection mid-request in CI).
    [[nodiscard]] virtual double idle_timeout_s() const { return 30.0; }
    [[nodiscard]] virtual double head_timeout_s() const { return 30.0; }
    [[nodiscard]] virtual unsigned threads() const { return 2; }

    [[nodiscard]] httplib::Client client() const {
        return httplib::Client("127.0.0.1", server_->port());
    }

    // The raw bytes a request gets back, until the server closes the connection.
    [[nodiscard]] std::string raw_exchange(const std::string& request) const {
        const int fd = testing::connect_loopback(server_->port());
        EXPECT_GE(fd, 0);
        EXPECT_EQ(::send(fd, request.data(), request.size(), 0),
                  static_cast<ssize_t>(request.size()));
        std::string answer = testing::read_until_closed(fd);
        ::close(fd);
        return answer;
    }

    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(directory_);
    }

    std::filesystem::path directory_;
    TestApplication application_;
    std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AnswersManyRequestsOnOneKeptAliveConnection) {
    httplib::Client http = client();
    http.set_keep_alive(true);
    for (int i = 0; i < 50; ++i) {
        const auto result = http.Get("/hello");
        ASSERT_TRUE(result) << i;
        EXPECT_EQ(result->status, 200);
        EXPECT_EQ(result->body, "{\"peer\":\"127.0.0.1\"}");
        EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
    }
}

TEST_F(HttpServerTest, CollectsASmallBodyAndRefusesALargeOne) {
    httplib::Client http = client();
    const auto small = http.Post("/echo", "0123456789", "text/plain");
    ASSERT_TRUE(small);
    EXPECT_EQ(small->body, "0123456789");
    const auto large = http.Post("/echo", std::string(100'000, 'x'), "text/plain");
    ASSERT_TRUE(large);
    EXPECT_EQ(large->status, 413);
    EXPECT_EQ(large->body, "{\"error\":\"request body over 16 bytes\"}");
}

TEST_F(HttpServerTest, ServesAFileWholeAndBySlice) {
    std::ifstream in(application_.file_path, std::ios::binary);
    const std::string expected((std::istreambuf_iterator<char>(in)), {});
    httplib::Client http = client();
    const auto whole = http.Get("/file");
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->status, 200);
    EXPECT_EQ(whole->body, expected);  // Four slices and a bit, in order.
    const auto slice = http.Get("/file", {{"Range", "bytes=1000-1099"}});
    ASSERT_TRUE(slice);
    EXPECT_EQ(slice->status, 206);
    EXPECT_EQ(slice->get_header_value("Content-Range"), "bytes 1000-1099/1000000");
    EXPECT_EQ(slice->body, expected.substr(1000, 100));
    const auto tail = http.Get("/file", {{"Range", "bytes=-10"}});
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->body, expected.substr(expected.size() - 10));
    const auto beyond = http.Get("/file", {{"Range", "bytes=2000000-"}});
    ASSERT_TRUE(beyond);
    EXPECT_EQ(beyond->status, 416);
    // The connection still serves after a file body.
    const auto after = http.Get("/hello");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200);
}

TEST_F(HttpServerTest, PipelinedRequestsBehindAFileAreAnsweredInOrder) {
    const std::string answer = raw_exchange(
        "GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-299999\r\n\r\n"
        "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const std::size_t first = answer.find("HTTP/1.1 206");
    const std::size_t second = answer.find("HTTP/1.1 200");
    ASSERT_EQ(first, 0U);
    ASSERT_NE(second, std::string::npos);
    EXPECT_GT(second, 300000U);
    EXPECT_EQ(answer.substr(answer.size() - 20), "{\"peer\":\"127.0.0.1\"}");
}

TEST_F(HttpServerTest, MalformedRequestsGetAnErrorAndAClosedConnection) {
    const std::string answer = raw_exchange("GET /hello HTTP/1.1\r\nBad Header\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0U) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos);
    EXPECT_NE(answer.find("malformed header line"), std::string::npos);
    const std::string smuggled = raw_exchange(
        "POST /echo HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    EXPECT_EQ(smuggled.rfind("HTTP/1.1 400", 0), 0U) << smuggled;
}

TEST_F(HttpServerTest, AnEventStreamIsPushedFromAnotherThread) {
    const int fd = testing::connect_loopback(server_->port());
    ASSERT_GE(fd, 0);
    const std::string request = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    std::string received;
    char buffer[4096];
    while (received.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        ASSERT_GT(got, 0);
        received.append(buffer, static_cast<std::size_t>(got));
    }
    EXPECT_NE(received.find("Content-Type: text/event-stream"), std::string::npos);
    EXPECT_EQ(received.find("Content-Length"), std::string::npos);
    std::thread pusher([stream = application_.stream] {
        for (int i = 0; i < 5; ++i)
            EXPECT_TRUE(stream->push("data: " + std::to_string(i) + "\n\n"));
    });
    pusher.join();
    while (received.find("data: 4\n\n") == std::string::npos) {
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        ASSERT_GT(got, 0);
        received.append(buffer, static_cast<std::size_t>(got));
    }
    EXPECT_NE(received.find("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\n"), std::string::npos);
    ::close(fd);
    // Once the reactor has seen the client leave, pushing fails instead of writing anywhere.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (application_.stream->push("data: late\n\n") &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(application_.stream->open());
}

// The idle limit itself, short so the test is quick.
class IdleHttpServerTest : public HttpServerTest {
  protected:
    [[nodiscard]] double idle_timeout_s() const override { return 1.0; }
};

TEST_F(IdleHttpServerTest, StalledAndIdleConnectionsCloseButStreamsStayOpen) {
    const int stalled = testing::connect_loopback(server_->port());
    const int idle = testing::connect_loopback(server_->port());
    const int stream = testing::connect_loopback(server_->port());
    ASSERT_TRUE(stalled >= 0 && idle >= 0 && stream >= 0);
    const std::string partial = "GET /hello HTTP/1.1\r\nHost: x\r\n";  // No blank line, ever.
    const std::string whole = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string events = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_GT(::send(stalled, partial.data(), partial.size(), 0), 0);
    ASSERT_GT(::send(idle, whole.data(), whole.size(), 0), 0);
    ASSERT_GT(::send(stream, events.data(), events.size(), 0), 0);
    char buffer[4096];
    ASSERT_GT(::recv(idle, buffer, sizeof buffer, 0), 0);          // Its answer; then it idles.
    ASSERT_GT(::recv(stream, buffer, sizeof buffer, 0), 0);        // The stream's head.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // Past the 1 s limit.
    // Closed by the server: end of file or a reset, not the 5 s receive timeout running out.
    const auto closed = [&buffer](int fd) {
        const ssize_t read = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        return read == 0 || (read < 0 && errno == ECONNRESET);
    };
    EXPECT_TRUE(closed(stalled));
    EXPECT_TRUE(closed(idle));
    ASSERT_TRUE(application_.stream->push("data: still here\n\n"));
    const ssize_t got = ::recv(stream, buffer, sizeof buffer, 0);
    ASSERT_GT(got, 0);
    EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(got)), "data: still here\n\n");
    for (const int fd : {stalled, idle, stream})
        ::close(fd);
}

// A client that trickles its request head a byte at a time is never idle, but its head must
// arrive whole within the head limit of its first byte.
class TrickleHttpServerTest : public HttpServerTest {
  protected:
    [[nodiscard]] double head_timeout_s() const override { return 1.0; }
};

TEST_F(TrickleHttpServerTest, AHeadThatTricklesInIsCutOffAtItsDeadline) {
    const int fd = testing::connect_loopback(server_->port());
    ASSERT_GE(fd, 0);
    const std::string head = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(40, 'a');
    const auto started = std::chrono::steady_clock::now();
    bool closed = false;
    char buffer[256];
    for (std::size_t i = 0; i < head.size() && !closed; ++i) {
        if (::send(fd, &head[i], 1, MSG_NOSIGNAL) != 1) closed = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const ssize_t read = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        closed = closed || read == 0 || (read < 0 && errno == ECONNRESET);
    }
    const double after_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_TRUE(closed) << "the trickle went on for " << after_s << " s";
    EXPECT_LT(after_s, 6.0);  // 1 s limit, swept every 250 ms; 30 s idle limit.
    ::close(fd);
    // A whole head still gets its answer.
    const auto answer = client().Get("/hello");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 200);
}

// One reactor thread: a later answer must not hold it, or nothing else is served meanwhile.
class OneReactorHttpServerTest : public HttpServerTest {
  protected:
    [[nodiscard]] unsigned threads() const override { return 1; }
};

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++count;
    return count;
}

TEST_F(OneReactorHttpServerTest, ALaterAnswerLeavesTheReactorFreeAndClosesItsConnection) {
    const int fd = testing::connect_loopback(server_->port());
    ASSERT_GE(fd, 0);
    const std::string request = "GET /later HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    const std::shared_ptr<LaterAnswer> later = application_.wait_for_later();
    ASSERT_NE(later, nullptr);
    // The only reactor thread serves another client while the answer is still being made.
    const auto meanwhile = client().Get("/hello");
    ASSERT_TRUE(meanwhile);
    EXPECT_EQ(meanwhile->status, 200);
    TestApplication::give_later(later, "{\"late\":1}");
    const std::string answer = testing::read_until_closed(fd);
    ::close(fd);
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << answer;
    EXPECT_NE(answer.find("Content-Length: 10\r\n"), std::string::npos) << answer;
    EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos) << answer;
    EXPECT_TRUE(answer.ends_with("\r\n\r\n{\"late\":1}")) << answer;
}

TEST_F(HttpServerTest, ALaterAnswerKeepsItsPlaceAmongPipelinedRequests) {
    const int fd = testing::connect_loopback(server_->port());
    ASSERT_GE(fd, 0);
    // Given before its turn (behind a 1 MB file): it waits for the file; the request after it
    // is never answered, as the connection ends with the later answer.
    const std::string requests =
        "GET /file HTTP/1.1\r\n\r\nGET /later-now HTTP/1.1\r\n\r\n"
        "GET /hello HTTP/1.1\r\n\r\n";
    ASSERT_EQ(::send(fd, requests.data(), requests.size(), 0),
              static_cast<ssize_t>(requests.size()));
    const std::string answer = testing::read_until_closed(fd);
    ::close(fd);
    EXPECT_EQ(count_of(answer, "HTTP/1.1 200 OK\r\n"), 2U);
    const std::size_t second = answer.find("HTTP/1.1 200 OK\r\n", 1);
    ASSERT_NE(second, std::string::npos);
    EXPECT_EQ(second - (answer.find("\r\n\r\n") + 4), 1'000'000U);  // The whole file first.
    EXPECT_TRUE(answer.ends_with("\r\n\r\n{\"now\":true}"))
        << answer.substr(answer.size() > 200 ? answer.size() - 200 : 0);
    EXPECT_EQ(answer.find("peer"), std::string::npos);
}

TEST_F(HttpServerTest, ALaterAnswerForAClientThatLeftIsDropped) {
    int fd = testing::connect_loopback(server_->port());
    ASSERT_GE(fd, 0);
    const std::string request = "GET /later HTTP/1.1\r\n\r\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    const std::shared_ptr<LaterAnswer> later = application_.wait_for_later();
    ASSERT_NE(later, nullptr);
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // The reactor sees it leave.
    TestApplication::give_later(later, "{}");
    const auto after = client().Get("/hello");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200);
}

}  // namespace
}  // namespace strata::server::http
