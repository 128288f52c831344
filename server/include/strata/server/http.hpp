// The HTTP adapter's face to the rest of the server: what a route sees (the request head, its
// body in pieces) and what it answers (a Response: bytes, a slice of a file, or an event
// stream). Pistache stays behind HttpServer; no route ever touches it. The adapter answers with
// typed, complete heads it writes itself (Pistache 0.0.5 drops raw response headers), streams
// file bodies in bounded slices with Range support, and lets any thread push to an event stream.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/server/http_parser.hpp"

namespace strata::server::http {

/// Where a file body comes from: `length` bytes of `path` from `offset`.
struct FileBody {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

class EventStream;
class LaterAnswer;
class Upgraded;

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;  ///< Extra, as written.
    std::string body;
    std::optional<FileBody> file;  ///< Sent instead of `body` when set.
    /// Set for `text/event-stream`: the head goes out, then whatever is pushed to the stream
    /// until either side closes. The connection serves nothing else afterwards.
    std::shared_ptr<EventStream> stream;
    /// Set when the answer is made on another thread (`LaterAnswer`): everything else here is
    /// ignored, and the connection closes after the answer it is given.
    std::shared_ptr<LaterAnswer> later;
    /// Set with status 101 (a WebSocket): after the head, the connection's bytes both ways
    /// belong to it. The connection serves nothing else afterwards.
    std::shared_ptr<Upgraded> upgraded;
    bool close = false;  ///< Close the connection after this response.

    static Response json(int status, std::string body);
    /// `{"error": message}`, OctoPrint's error shape.
    static Response error(int status, std::string_view message);
    static Response empty(int status);
    void add_header(std::string name, std::string value);
};

/// A one-way push channel to one client, writable from any thread.
class EventStream {
  public:
    using Writer = std::function<bool(std::string&& bytes)>;
    /// Pushes `bytes` as they are; false once the client is gone (nothing more will be sent).
    bool push(std::string bytes);
    [[nodiscard]] bool open() const;
    /// Runs once the head has gone out and pushes reach the client (the place to subscribe).
    void when_attached(std::function<void()> attached);
    /// Called by the adapter: where bytes go, and when the client has left.
    void attach(Writer writer);
    void detach();

  private:
    mutable std::mutex mutex_;
    Writer writer_;
    std::function<void()> attached_;
    bool detached_ = false;
};

/// A connection that has switched protocols (`101 Switching Protocols`). The adapter hands it
/// the bytes that arrive, on the connection's thread, and two writers any thread may call.
class Upgraded {
  public:
    using Writer = std::function<bool(std::string&& bytes)>;
    using ClosingWriter = std::function<void(std::string&& bytes)>;
    virtual ~Upgraded() = default;
    Upgraded() = default;
    Upgraded(const Upgraded&) = delete;
    Upgraded& operator=(const Upgraded&) = delete;
    /// Once the 101 head is queued: `write` sends bytes (false once the client is gone);
    /// `write_and_close` sends the last bytes (maybe none), then shuts the sending side.
    virtual void attach(Writer write, ClosingWriter write_and_close) = 0;
    virtual void on_input(std::string_view bytes) = 0;
    /// The client has gone (or the connection was reset).
    virtual void on_disconnect() = 0;
    /// Whether it is only waiting for the client to hang up: the idle limit applies again.
    [[nodiscard]] virtual bool closing() const = 0;
};

/// An answer made off the reactor thread (a password check on `PasswordChecker`'s thread), so
/// the reactor goes on serving other connections meanwhile. `give` may be called from any thread,
/// before or after the adapter attaches; the answer goes out once both have happened. Its
/// connection serves nothing after it (the reactor does not wait to read a next request), so
/// it closes; a keep-alive client simply opens a new one.
class LaterAnswer {
  public:
    using Writer = std::function<void(Response&& answer)>;
    /// The answer; only the first call counts. A file or event stream in it is not sent.
    void give(Response answer);
    /// Called by the adapter when the answer's turn has come (earlier answers are out).
    void attach(Writer writer);
    /// Called by the adapter when the client has left: a later `give` writes nothing.
    void detach();

  private:
    std::mutex mutex_;
    Writer writer_;
    std::optional<Response> given_;
    bool done_ = false;  ///< Given and written, or detached.
};

/// One request in progress: the body arrives in pieces, then the answer is asked for.
class Exchange {
  public:
    virtual ~Exchange() = default;
    Exchange() = default;
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;
    /// A piece of the body; false to stop reading (the answer is then asked for at once and
    /// the connection is closed after it).
    virtual bool on_body(std::string_view bytes) = 0;
    /// The whole body was read (or `on_body` said stop): the answer.
    virtual Response finish() = 0;
    /// The client left before the request was complete: undo what was started.
    virtual void abandon() {}
    /// False when the answer is known without the body: a client that asked to be told before
    /// sending it (`Expect: 100-continue`) gets the answer instead of "100 Continue".
    [[nodiscard]] virtual bool wants_body() const { return true; }
};

/// The client, as far as the adapter knows it.
struct Peer {
    std::string address;  ///< The IP address, without the port.
};

/// What the adapter hands each request to.
class Application {
  public:
    virtual ~Application() = default;
    Application() = default;
    Application(const Application&) = delete;
    Application& operator=(const Application&) = delete;
    virtual std::unique_ptr<Exchange> begin(RequestHead head, const Peer& peer) = 0;
};

/// An exchange whose answer is known before the body: the body is read and dropped.
std::unique_ptr<Exchange> answer_now(Response response);

/// An exchange that collects a small body (up to `max_body_bytes`, else 413) and then calls
/// `handler` with it.
std::unique_ptr<Exchange> collect_body(std::size_t max_body_bytes,
                                       std::function<Response(std::string&& body)> handler);

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 5000;  ///< 0: any free port (see HttpServer::port()).
    unsigned threads = 2;
    RequestParser::Limits limits;
    /// A connection with nothing in or out for this long is closed: a client that stalled in
    /// the middle of a request (its upload is dropped) or an idle keep-alive connection. Event
    /// streams are exempt.
    double idle_timeout_s = 60.0;
    /// A request head must arrive whole within this long of its first byte: a client that
    /// trickles a byte every few seconds is never idle, yet holds a connection for ever.
    double head_timeout_s = 10.0;
};

class HttpServer {
  public:
    HttpServer(ServerOptions options, Application& application);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;
    /// Binds and starts serving on background threads.
    [[nodiscard]] Status start();
    void stop();
    [[nodiscard]] std::uint16_t port() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A parsed `Range: bytes=...` header against a file of `size` bytes: the one slice to send,
/// nullopt for "unsatisfiable" (416). Several ranges are answered with the first one's slice.
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t length = 0;
};
enum class RangeResult : std::uint8_t { whole, slice, unsatisfiable };
RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& range);

/// The status line's reason phrase for `status`.
std::string_view reason_phrase(int status);

/// Splits `a=1&b=two%20words` into decoded pairs ('+' is a space).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace strata::server::http
