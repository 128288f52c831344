// The only file that includes Pistache. Its TCP layer (listener, epoll reactor threads, write
// queue) carries the bytes; its HTTP layer is not used, because in 0.0.5 it buffers whole
// requests (a 200 MB upload cost 653 MB), drops raw response headers, ignores Range, cuts long
// streams with its header timeout and crashes when a stream is flushed from another thread
// (../shared/reference/dependencies.md §2). Each reactor thread has its own handler clone with
// the connections it owns; only `Peer::send`, which pushes onto a thread-safe queue, is ever
// called from other threads (event streams).
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <pistache/listener.h>
#include <pistache/peer.h>
#include <pistache/tcp.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>

#include "connection.hpp"
#include "strata/server/http.hpp"

namespace strata::server::http {
namespace {

using PeerPtr = std::shared_ptr<Pistache::Tcp::Peer>;

// Set once the reactor has let the peer go: its fd may then belong to a new connection, so
// nothing may be sent or shut down through it any more.
struct PeerLife {
    std::mutex mutex;
    bool gone = false;
};

class PeerOutput final : public ConnectionOutput {
  public:
    explicit PeerOutput(const PeerPtr& peer) : peer_(peer), life_(std::make_shared<PeerLife>()) {}

    void write(std::string bytes, std::function<void(bool)> written, bool then_close) override {
        const PeerPtr peer = peer_.lock();
        if (!peer || life_->gone) return;
        if (bytes.empty()) {
            if (then_close) ::shutdown(peer->fd(), SHUT_WR);
            return;
        }
        const std::size_t size = bytes.size();
        auto promise = peer->send(Pistache::RawBuffer(std::move(bytes), size));
        if (!written && !then_close) return;
        std::weak_ptr<Pistache::Tcp::Peer> weak = peer_;
        std::shared_ptr<PeerLife> life = life_;
        promise.then(
            [weak, life, written, then_close](ssize_t) {
                if (then_close) {
                    const PeerPtr alive = weak.lock();
                    if (alive && !life->gone) ::shutdown(alive->fd(), SHUT_WR);
                }
                if (written) written(true);
            },
            [written](const std::exception_ptr&) {
                if (written) written(false);
            });
    }

    void reset() override {
        const PeerPtr peer = peer_.lock();
        if (peer && !life_->gone) ::shutdown(peer->fd(), SHUT_RDWR);
    }

    EventStream::Writer stream_writer() override {
        std::weak_ptr<Pistache::Tcp::Peer> weak = peer_;
        std::shared_ptr<PeerLife> life = life_;
        return [weak, life](std::string&& bytes) {
            // Held across the push so the reactor cannot retire the fd in between.
            const std::lock_guard lock(life->mutex);
            const PeerPtr peer = weak.lock();
            if (!peer || life->gone) return false;
            const std::size_t size = bytes.size();
            peer->send(Pistache::RawBuffer(std::move(bytes), size));
            return true;
        };
    }

    std::function<void(std::string&&)> closing_writer() override {
        std::weak_ptr<Pistache::Tcp::Peer> weak = peer_;
        std::shared_ptr<PeerLife> life = life_;
        return [weak, life](std::string&& bytes) {
            std::optional<Pistache::Async::Promise<ssize_t>> sent;
            {
                // Held across the push so the reactor cannot retire the fd in between.
                const std::lock_guard lock(life->mutex);
                const PeerPtr peer = weak.lock();
                if (!peer || life->gone) return;
                if (bytes.empty()) {  // Nothing left to send: only the shutdown.
                    ::shutdown(peer->fd(), SHUT_WR);
                    return;
                }
                const std::size_t size = bytes.size();
                sent.emplace(peer->send(Pistache::RawBuffer(std::move(bytes), size)));
            }
            // Outside the lock: a promise already kept runs this at once, on this thread.
            sent->then(
                [weak, life](ssize_t) {
                    const std::lock_guard lock(life->mutex);
                    const PeerPtr alive = weak.lock();
                    if (alive && !life->gone) ::shutdown(alive->fd(), SHUT_WR);
                },
                [](const std::exception_ptr&) {});
        };
    }

    void retire() {
        const std::lock_guard lock(life_->mutex);
        life_->gone = true;
    }

  private:
    std::weak_ptr<Pistache::Tcp::Peer> peer_;
    std::shared_ptr<PeerLife> life_;
};

struct OpenConnection {
    std::unique_ptr<PeerOutput> output;
    std::shared_ptr<Connection> connection;
};

class ReactorHandler final : public Pistache::Tcp::Handler {
  public:
    ReactorHandler(Application& application, RequestParser::Limits limits,
                   std::chrono::milliseconds idle_timeout, std::chrono::milliseconds head_timeout)
        : application_(application),
          limits_(limits),
          idle_timeout_(idle_timeout),
          head_timeout_(head_timeout) {}
    // A clone per reactor thread starts without connections (and without the transport, which
    // Pistache associates afterwards).
    ReactorHandler(const ReactorHandler& other)
        : Pistache::Tcp::Handler(other),
          application_(other.application_),
          limits_(other.limits_),
          idle_timeout_(other.idle_timeout_),
          head_timeout_(other.head_timeout_) {}
    ReactorHandler& operator=(const ReactorHandler&) = delete;
    ~ReactorHandler() override {
        if (timer_fd_ >= 0) ::close(timer_fd_);
    }

    std::shared_ptr<Pistache::Tcp::Handler> clone() const override {
        return std::make_shared<ReactorHandler>(*this);
    }

    void onConnection(const PeerPtr& peer) override {
        if (timer_fd_ < 0) arm_sweep();
        OpenConnection open;
        open.output = std::make_unique<PeerOutput>(peer);
        open.connection = std::make_shared<Connection>(application_, Peer{peer->address().host()},
                                                       limits_, *open.output);
        connections_[peer->getID()] = std::move(open);
    }

    void onInput(const char* buffer, std::size_t length, const PeerPtr& peer) override {
        const auto found = connections_.find(peer->getID());
        if (found == connections_.end()) return;
        const std::shared_ptr<Connection> connection = found->second.connection;
        connection->on_input(std::string_view(buffer, length));
    }

    void onDisconnection(const PeerPtr& peer) override {
        const auto found = connections_.find(peer->getID());
        if (found == connections_.end()) return;
        found->second.output->retire();
        found->second.connection->on_disconnect();
        connections_.erase(found);
    }

  private:
    // The idle sweep runs on this reactor's own thread, from a timer its epoll loop waits on
    // (Pistache's transport timers), so it touches the connections without a lock. Each sweep
    // arms a new timer fd: Pistache adds a timer's fd to its epoll set each time it is armed,
    // which fails for an fd armed before; the fd that fired is closed once the next is armed.
    void arm_sweep() {
        const int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (fd < 0) return;  // No sweeping without timers; connections still end with clients.
        const auto period =
            std::max(std::chrono::milliseconds(100), std::min(idle_timeout_, head_timeout_) / 4);
        Pistache::Async::Promise<std::uint64_t> fired(
            [this, fd, period](Pistache::Async::Deferred<std::uint64_t> deferred) {
                transport()->armTimer(fd, period, std::move(deferred));
            });
        fired.then([this](std::uint64_t) { sweep(); },
                   [](const std::exception_ptr&) {});  // The reactor is shutting down.
        if (timer_fd_ >= 0) ::close(timer_fd_);
        timer_fd_ = fd;
    }

    void sweep() {
        const auto now = std::chrono::steady_clock::now();
        for (auto& [id, open] : connections_)
            if (open.connection->idle_for(now, idle_timeout_, head_timeout_)) open.output->reset();
        arm_sweep();
    }

    Application& application_;
    RequestParser::Limits limits_;
    std::chrono::milliseconds idle_timeout_;
    std::chrono::milliseconds head_timeout_;
    std::unordered_map<std::size_t, OpenConnection> connections_;
    int timer_fd_ = -1;  ///< The armed sweep timer.
};

}  // namespace

struct HttpServer::Impl {
    ServerOptions options;
    Application& application;
    Pistache::Tcp::Listener listener;
    bool running = false;
};

HttpServer::HttpServer(ServerOptions options, Application& application)
    : impl_(new Impl{std::move(options), application, {}, false}) {}

HttpServer::~HttpServer() {
    stop();
}

Status HttpServer::start() {
    try {
        const Pistache::Address address(impl_->options.address,
                                        Pistache::Port(impl_->options.port));
        Pistache::Flags<Pistache::Tcp::Options> flags(Pistache::Tcp::Options::ReuseAddr);
        flags.setFlag(Pistache::Tcp::Options::NoDelay);
        flags.setFlag(Pistache::Tcp::Options::CloseOnExec);
        impl_->listener.init(impl_->options.threads == 0 ? 1 : impl_->options.threads, flags,
                             "strata-http");
        impl_->listener.setHandler(std::make_shared<ReactorHandler>(
            impl_->application, impl_->options.limits,
            std::chrono::milliseconds(static_cast<long>(impl_->options.idle_timeout_s * 1000.0)),
            std::chrono::milliseconds(static_cast<long>(impl_->options.head_timeout_s * 1000.0))));
        impl_->listener.bind(address);
        impl_->listener.runThreaded();
    } catch (const std::exception& failure) {
        // Pistache says only what went wrong in words (a port in use, an address not here).
        return fail(ErrorCode::unavailable, "cannot listen on " + impl_->options.address + ":" +
                                                std::to_string(impl_->options.port) + ": " +
                                                failure.what());
    }
    impl_->running = true;
    return {};
}

void HttpServer::stop() {
    if (!impl_->running) return;
    impl_->running = false;
    impl_->listener.shutdown();
}

std::uint16_t HttpServer::port() const {
    return static_cast<std::uint16_t>(static_cast<std::uint16_t>(impl_->listener.getPort()));
}

}  // namespace strata::server::http
