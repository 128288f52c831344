// One client connection, without Pistache: bytes in (parsed incrementally, handed to the
// application as they arrive), responses out in request order. A file body goes out in slices,
// each read only when the one before it was written, so a 2 GB download holds one slice in
// memory; responses to requests pipelined behind it wait in a queue. Internal to server/http;
// listener.cpp connects it to a Pistache peer through `ConnectionOutput`.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "strata/server/http.hpp"

namespace strata::server::http {

/// Where a connection's bytes go; the listener's glue to Pistache.
class ConnectionOutput {
  public:
    virtual ~ConnectionOutput() = default;
    ConnectionOutput() = default;
    ConnectionOutput(const ConnectionOutput&) = delete;
    ConnectionOutput& operator=(const ConnectionOutput&) = delete;
    /// Queues `bytes`; `written` (when set) runs on the connection's thread once they are out,
    /// with false if the client is gone. With `then_close` the sending side is shut after them
    /// (a lingering close: what the client still sends is read and dropped, so it does not get
    /// a reset before it has read the answer).
    virtual void write(std::string bytes, std::function<void(bool)> written, bool then_close) = 0;
    /// Ends the connection both ways now.
    virtual void reset() = 0;
    /// A writer any thread may call, for event streams.
    virtual EventStream::Writer stream_writer() = 0;
    /// A writer any thread may call once, for an answer made elsewhere (`LaterAnswer`): the bytes,
    /// then the sending side is shut.
    virtual std::function<void(std::string&& bytes)> closing_writer() = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(Application& application, Peer peer, RequestParser::Limits limits,
               ConnectionOutput& output);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void on_input(std::string_view bytes);
    void on_disconnect();
    /// Whether nothing came in and nothing went out for `limit`: a client that stalled mid-request
    /// or an idle keep-alive connection. Event streams are never idle (their client only reads).
    /// Or a request head that began longer than `head_limit` ago and has not ended.
    [[nodiscard]] bool idle_for(std::chrono::steady_clock::time_point now,
                                std::chrono::milliseconds limit,
                                std::chrono::milliseconds head_limit) const;

    /// Bytes of a file body are read and written this many at a time.
    static constexpr std::size_t file_slice_bytes = std::size_t{256} * 1024;
    /// What a closing connection reads and drops before it resets instead.
    static constexpr std::uint64_t max_dropped_bytes = std::uint64_t{16} * 1024 * 1024;

  private:
    struct Outgoing {
        std::string head_and_body;
        std::optional<FileBody> file;
        std::shared_ptr<LaterAnswer> later;  ///< The answer is made elsewhere; nothing after it.
        bool close = false;
    };
    void on_head(RequestHead&& head);
    void on_body(std::string_view bytes);
    void on_complete();
    void respond(Response&& response);
    void send(Outgoing&& outgoing);
    void pump();
    void attach_later(std::shared_ptr<LaterAnswer> later);
    void write_next_slice();
    void finish_outgoing();
    void fail(const ParseError& error);

    Application& application_;
    Peer peer_;
    RequestParser parser_;
    ConnectionOutput& output_;
    std::unique_ptr<Exchange> exchange_;
    bool head_request_ = false;  ///< HEAD: the answer's head only.
    bool keep_alive_ = true;
    bool stopped_reading_ = false;     ///< The exchange refused more body; closing.
    bool closing_ = false;             ///< Nothing more is read or answered.
    std::uint64_t dropped_bytes_ = 0;  ///< Read while closing.
    std::shared_ptr<EventStream> stream_;
    std::shared_ptr<LaterAnswer> later_;  ///< Attached and waited for; the connection's last.
    std::shared_ptr<Upgraded> upgraded_;  ///< After a 101: every byte in and out is its.
    std::deque<Outgoing> queue_;          ///< Behind a file body being written.
    bool writing_file_ = false;
    int file_fd_ = -1;
    std::uint64_t file_left_ = 0;
    std::uint64_t file_offset_ = 0;
    std::chrono::steady_clock::time_point last_activity_ = std::chrono::steady_clock::now();
    /// When the request head now arriving began; unset between heads.
    std::optional<std::chrono::steady_clock::time_point> head_started_;
};

}  // namespace strata::server::http
