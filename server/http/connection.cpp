// Connection: requests are parsed as bytes arrive and each is handed to the application as an
// Exchange; answers are written in request order. Small answers go straight to the output (its
// queue keeps them in order); a file body is written slice by slice, each slice read when the
// one before is out, and answers behind it wait in `queue_`.
#include "connection.hpp"

#include "ascii.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace strata::server::http {
namespace {

std::string head_of(const Response& response, std::uint64_t body_bytes, bool keep_alive) {
    std::string head;
    head.reserve(160 + response.content_type.size());
    head += "HTTP/1.1 ";
    head += std::to_string(response.status);
    head += ' ';
    head += reason_phrase(response.status);
    head += "\r\n";
    const bool has_body =
        response.status != 204 && response.status != 304 && response.status != 101;
    if (has_body && !response.content_type.empty()) {
        head += "Content-Type: ";
        head += response.content_type;
        head += "\r\n";
    }
    if (response.stream) {
        head += "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n";
    } else if (has_body) {
        head += "Content-Length: ";
        head += std::to_string(body_bytes);
        head += "\r\n";
    }
    for (const auto& [name, value] : response.headers) {
        head += name;
        head += ": ";
        head += value;
        head += "\r\n";
    }
    head += "X-Content-Type-Options: nosniff\r\n";
    // An event stream's body ends when the connection does; a 101 names its own.
    if ((!keep_alive || response.stream) && !response.upgraded) head += "Connection: close\r\n";
    head += "\r\n";
    return head;
}

}  // namespace

Connection::Connection(Application& application, Peer peer, RequestParser::Limits limits,
                       ConnectionOutput& output)
    : application_(application), peer_(std::move(peer)), parser_(limits), output_(output) {}

Connection::~Connection() {
    if (file_fd_ >= 0) ::close(file_fd_);
}

bool Connection::idle_for(std::chrono::steady_clock::time_point now,
                          std::chrono::milliseconds limit,
                          std::chrono::milliseconds head_limit) const {
    if (stream_) return false;
    if (upgraded_ && !upgraded_->closing()) return false;  // Its protocol keeps it alive.
    return now - last_activity_ > limit || (head_started_ && now - *head_started_ > head_limit);
}

void Connection::on_input(std::string_view bytes) {
    last_activity_ = std::chrono::steady_clock::now();
    if (upgraded_) {
        const std::shared_ptr<Upgraded> upgraded = upgraded_;  // It may end the connection.
        upgraded->on_input(bytes);
        return;
    }
    if (closing_ || stream_) {  // An event stream's client has nothing more to say.
        dropped_bytes_ += bytes.size();
        if (dropped_bytes_ > max_dropped_bytes) output_.reset();
        return;
    }
    RequestParser::Callbacks callbacks;
    callbacks.on_head = [this](RequestHead& head) { on_head(std::move(head)); };
    callbacks.on_body = [this](std::string_view piece) { on_body(piece); };
    callbacks.on_complete = [this] { on_complete(); };
    if (!parser_.feed(bytes, callbacks)) fail(parser_.error());
    if (!parser_.mid_head())
        head_started_.reset();
    else if (!head_started_)
        head_started_ = last_activity_;
}

void Connection::on_head(RequestHead&& head) {
    if (closing_) return;
    head_request_ = head.method == "HEAD";
    keep_alive_ = head.keep_alive;
    stopped_reading_ = false;
    const bool expects_continue = lower(head.header("expect").value_or("")) == "100-continue" &&
                                  (head.content_length > 0 || head.chunked);
    exchange_ = application_.begin(std::move(head), peer_);
    if (!expects_continue) return;
    if (!exchange_->wants_body()) {
        // Answered without the body; whether the client sends it anyway is unknown, so the
        // connection ends after the answer.
        stopped_reading_ = true;
        keep_alive_ = false;
        on_complete();
        return;
    }
    // libcurl (PrusaSlicer, Cura) waits a second for this before sending a large body.
    output_.write("HTTP/1.1 100 Continue\r\n\r\n", nullptr, false);
}

void Connection::on_body(std::string_view bytes) {
    if (closing_ || stopped_reading_ || !exchange_) return;
    if (exchange_->on_body(bytes)) return;
    // The exchange wants no more: answer now and close, rather than read a body nobody wants.
    stopped_reading_ = true;
    keep_alive_ = false;
    on_complete();
}

void Connection::on_complete() {
    if (closing_ || !exchange_) return;
    const std::unique_ptr<Exchange> exchange = std::move(exchange_);
    respond(exchange->finish());
}

void Connection::fail(const ParseError& error) {
    if (closing_) return;
    if (exchange_) {
        exchange_->abandon();
        exchange_.reset();
    }
    Response response = Response::error(error.status, error.message);
    keep_alive_ = false;
    respond(std::move(response));
}

void Connection::respond(Response&& response) {
    if (response.later) {
        keep_alive_ = false;
        closing_ = true;
        Outgoing outgoing;
        outgoing.later = std::move(response.later);
        send(std::move(outgoing));
        return;
    }
    if (response.close) keep_alive_ = false;
    Outgoing outgoing;
    std::uint64_t body_bytes = response.file ? response.file->length : response.body.size();
    outgoing.head_and_body = head_of(response, body_bytes, keep_alive_);
    if (!head_request_) {
        if (response.file)
            outgoing.file = std::move(response.file);
        else
            outgoing.head_and_body += response.body;
    }
    outgoing.close = !keep_alive_;
    if (outgoing.close) closing_ = true;
    if (response.upgraded && response.status == 101) {
        upgraded_ = std::move(response.upgraded);
        outgoing.close = false;
        closing_ = true;  // No more HTTP: what arrives is the new protocol's.
        send(std::move(outgoing));
        upgraded_->attach(output_.stream_writer(), output_.closing_writer());
        return;
    }
    if (response.stream) {
        stream_ = std::move(response.stream);
        outgoing.close = false;  // Open until either side ends it.
        closing_ = true;
        send(std::move(outgoing));
        stream_->attach(output_.stream_writer());
        return;
    }
    send(std::move(outgoing));
}

void Connection::send(Outgoing&& outgoing) {
    queue_.push_back(std::move(outgoing));
    pump();
}

void Connection::pump() {
    while (!writing_file_ && !queue_.empty()) {
        Outgoing& front = queue_.front();
        if (front.later) {
            std::shared_ptr<LaterAnswer> later = std::move(front.later);
            queue_.clear();  // It is the last answer.
            attach_later(std::move(later));
            return;
        }
        if (!front.file) {
            const bool close = front.close;
            output_.write(std::move(front.head_and_body), nullptr, close);
            queue_.pop_front();
            continue;
        }
        file_fd_ = ::open(front.file->path.c_str(), O_RDONLY | O_CLOEXEC);
        file_offset_ = front.file->offset;
        file_left_ = front.file->length;
        writing_file_ = true;
        output_.write(std::move(front.head_and_body), nullptr, false);
        write_next_slice();
    }
}

// The answer is written by whichever thread gives it, through the output's thread-safe writer;
// it is the connection's last (see LaterAnswer), so its head says so.
void Connection::attach_later(std::shared_ptr<LaterAnswer> later) {
    later_ = std::move(later);
    later_->attach(
        [write = output_.closing_writer(), head_only = head_request_](Response&& answer) {
            std::string bytes = head_of(answer, answer.body.size(), false);
            if (!head_only) bytes += answer.body;
            write(std::move(bytes));
        });
}

void Connection::write_next_slice() {
    if (file_left_ == 0 || file_fd_ < 0) {
        finish_outgoing();
        return;
    }
    std::string slice(
        static_cast<std::size_t>(std::min<std::uint64_t>(file_left_, file_slice_bytes)), '\0');
    const ssize_t got =
        ::pread(file_fd_, slice.data(), slice.size(), static_cast<off_t>(file_offset_));
    if (got <= 0) {
        // The file shrank or vanished under us: the promised length cannot be kept, so the
        // only honest end is to close the connection.
        file_left_ = 0;
        queue_.front().close = true;
        finish_outgoing();
        return;
    }
    slice.resize(static_cast<std::size_t>(got));
    file_offset_ += static_cast<std::uint64_t>(got);
    file_left_ -= static_cast<std::uint64_t>(got);
    const std::weak_ptr<Connection> self = weak_from_this();
    output_.write(
        std::move(slice),
        [self](bool written) {
            const std::shared_ptr<Connection> connection = self.lock();
            if (!connection) return;
            if (!written) connection->file_left_ = 0;
            connection->last_activity_ = std::chrono::steady_clock::now();  // A slow reader reads.
            connection->write_next_slice();
        },
        false);
}

void Connection::finish_outgoing() {
    if (file_fd_ >= 0) ::close(file_fd_);
    file_fd_ = -1;
    writing_file_ = false;
    const bool close = queue_.front().close;
    queue_.pop_front();
    if (close) {
        // Every slice is out (or a failed read left nothing honest to send).
        queue_.clear();
        output_.write(std::string(), nullptr, true);
        return;
    }
    pump();
}

void Connection::on_disconnect() {
    closing_ = true;
    if (exchange_) {
        exchange_->abandon();
        exchange_.reset();
    }
    if (stream_) stream_->detach();
    if (later_) later_->detach();
    if (upgraded_) upgraded_->on_disconnect();
    queue_.clear();
    if (file_fd_ >= 0) ::close(file_fd_);
    file_fd_ = -1;
}

}  // namespace strata::server::http
