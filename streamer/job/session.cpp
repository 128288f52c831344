// The streamer thread's loop (see session.hpp): poll the link, the wake-up and the capture
// worker; read replies into the protocol; feed job lines; write what the window allows. The
// Streamer API at the end only queues controls and reads shared state.
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>

#include "session.hpp"

namespace strata::streamer {
namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void signal(int fd) {
    const std::uint64_t one = 1;
    (void)!::write(fd, &one, sizeof one);
}

void drain(int fd) {
    std::uint64_t count = 0;
    (void)!::read(fd, &count, sizeof count);
}

// Real-time priority where the system grants it (root, CAP_SYS_NICE, an rtprio limit), so web
// requests, analyses and renders on the same small machine never delay a line; else unchanged.
bool raise_priority() {
    sched_param priority{};
    priority.sched_priority = 10;
    return ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &priority) == 0;
}

// Longer than any reply line a firmware sends; past it the bytes are not a line.
constexpr std::size_t max_reply_bytes = 4096;

}  // namespace

Streamer::Session::Session(const StreamerConfig& config)
    : config_(config),
      protocol_(config.protocol, *this),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      simulator_(parser::MachineConfig{}) {
    events_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Streamer::Session::~Session() {
    stop_thread();
    ::close(wake_fd_);
    ::close(events_fd);
}

Status Streamer::Session::connect() {
    if (thread_.joinable()) return fail(ErrorCode::busy, "already connected");
    if (config_.link.target.empty() || config_.link.target == "auto" || config_.link.baud <= 0) {
        std::string tried;
        const auto found = detect_printer(config_.link, config_.handshake_timeout_s, tried);
        if (!found)
            return fail(ErrorCode::unavailable,
                        "no printer answered (tried " + (tried.empty() ? "no port" : tried) + ")");
        config_.link = *found;
    }
    Result<std::unique_ptr<Link>> opened = open_link(config_.link);
    if (!opened) return opened.take_error();
    link_ = std::move(*opened);
    link_->discard_buffers();
    const WireTiming timing = link_->wire_timing();
    protocol_.use_wire_timing(timing.bytes_per_s, timing.reply_latency_s);
    stopping_ = false;
    connect_result_.reset();
    set_state(PrinterState::connecting);
    thread_ = std::thread([this] { run(); });
    std::unique_lock lock(connected_mutex_);
    const double budget_s = config_.handshake_timeout_s * (config_.handshake_attempts + 1) + 5.0;
    connected_.wait_for(lock, std::chrono::duration<double>(budget_s),
                        [this] { return connect_result_.has_value(); });
    if (connect_result_ && connect_result_->empty()) return {};
    Error failed{ErrorCode::unavailable,
                 connect_result_ ? *connect_result_ : "no handshake with the printer"};
    lock.unlock();
    stop_thread();
    return failed;
}

void Streamer::Session::stop_thread() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    signal(wake_fd_);
    thread_.join();
    link_.reset();
}

void Streamer::Session::post(Control control) {
    {
        const std::lock_guard lock(controls_mutex_);
        controls_.push_back(std::move(control));
    }
    signal(wake_fd_);
}

void Streamer::Session::emergency_stop() {
    emergency_ = true;
    signal(wake_fd_);
}

void Streamer::Session::run() {
    ::pthread_setname_np(::pthread_self(), "strata-stream");
    const bool realtime = config_.realtime_priority && raise_priority();
    shared_realtime = realtime;
    const double started_s = now_s();
    protocol_.reset(started_s);
    handshake_deadline_s_ = started_s + config_.handshake_timeout_s;
    handshake_attempt_ = 1;
    while (!stopping_ && link_) {
        send_what_is_due(now_s());
        if (!link_) break;
        std::array<pollfd, 3> waits = {
            pollfd{link_->fd(), static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0},
            pollfd{wake_fd_, POLLIN, 0}, pollfd{capture.done_fd(), POLLIN, 0}};
        wait(waits);
        const double now = now_s();
        now_cache_s_ = now;
        if (emergency_.exchange(false)) {
            do_emergency_stop();
            break;
        }
        if ((waits[1].revents & POLLIN) != 0) drain(wake_fd_);
        if ((waits[2].revents & POLLIN) != 0) {
            drain(capture.done_fd());
            if (capturing_)
                if (const std::optional<Status> captured = capture.result())
                    finish_snapshot(now, *captured);
        }
        if ((waits[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) read_link(now);
        if (!link_) break;
        take_controls(now);
        if (!handshake_done_) handshake_tick(now);
        job_tick(now);
    }
    if (state_ != PrinterState::error) set_state(PrinterState::disconnected);
    events.flush();
    const std::lock_guard lock(connected_mutex_);
    if (!connect_result_) connect_result_ = "the link closed during the handshake";
    connected_.notify_all();
}

// Timeouts, then as many lines as the window allows, then the wire.
void Streamer::Session::send_what_is_due(double now) {
    now_cache_s_ = now;
    const std::size_t queued = out_.size();
    protocol_.on_tick(out_, now);
    if (out_.size() < 4096) protocol_.fill(out_, now);
    if (config_.terminal && out_.size() > queued)
        config_.terminal->add(true, std::string_view(out_).substr(queued));
    write_link();
    events.flush();
    publish_counters();
}

int Streamer::Session::poll_timeout_ms(double now) const {
    // A snapshot whose moves are all acknowledged is due now: nothing will wake the loop for it.
    if (job_active_ && barrier_ && !capturing_ && protocol_.idle()) return 0;
    double wake_s = protocol_.next_deadline_s();
    if (!handshake_done_) wake_s = std::min(wake_s, handshake_deadline_s_);
    if (capturing_) wake_s = std::min(wake_s, capture_deadline_s_);
    if (job_active_) wake_s = std::min(wake_s, next_progress_s_);
    if (handshake_done_ && !autoreport_) wake_s = std::min(wake_s, next_poll_s_);
    if (!std::isfinite(wake_s)) return -1;
    return static_cast<int>(std::ceil(std::max(0.0, wake_s - now) * 1000.0));
}

// Blocks until the link, a control or the camera needs the loop, or a deadline passes. A reply
// expected within microseconds is polled for first: on a fast link, sleeping and being woken
// costs more than the reply's own latency, and it is that cost that bounds the lines per second.
void Streamer::Session::wait(std::array<pollfd, 3>& waits) {
    const bool spin = config_.spin_for_reply_s > 0.0 && protocol_.in_flight() > 0 &&
                      reply_latency_s_ < config_.spin_for_reply_s;
    if (spin) {
        const double until_s = now_s() + config_.spin_for_reply_s;
        do {
            if (::poll(waits.data(), waits.size(), 0) != 0) return;
        } while (now_s() < until_s);
    }
    ::poll(waits.data(), waits.size(), poll_timeout_ms(now_s()));
}

void Streamer::Session::read_link(double now) {
    std::array<char, 65536>& buffer = read_buffer_;
    for (;;) {
        const IoResult got = link_->read(buffer.data(), buffer.size());
        if (got.status == IoResult::Status::would_block) break;
        if (got.status != IoResult::Status::ok) {
            lose_link(got.status == IoResult::Status::closed
                          ? "the printer's link closed"
                          : "reading from the printer failed: " + got.error);
            return;
        }
        in_.append(buffer.data(), got.bytes);
        if (last_write_s_ > 0.0) {
            reply_latency_s_ = 0.8 * reply_latency_s_ + 0.2 * (now - last_write_s_);
            last_write_s_ = 0.0;
        }
        std::size_t start = 0;
        for (std::size_t end = in_.find('\n'); end != std::string::npos;
             start = end + 1, end = in_.find('\n', start)) {
            const std::string_view line = std::string_view(in_).substr(start, end - start);
            if (config_.terminal) config_.terminal->add(false, line);
            protocol_.on_received(line, now);
            if (!link_) return;
        }
        in_.erase(0, start);
        if (in_.size() > max_reply_bytes) in_.clear();  // Line noise, not a reply.
        if (got.bytes < buffer.size()) break;
    }
}

void Streamer::Session::write_link() {
    while (!out_.empty() && link_) {
        const IoResult written = link_->write(out_.data(), out_.size());
        if (written.status == IoResult::Status::ok) {
            out_.erase(0, written.bytes);
            if (last_write_s_ == 0.0) last_write_s_ = now_cache_s_;
            continue;
        }
        if (written.status != IoResult::Status::would_block) {
            // The same reason whichever of reading and writing finds the link gone first.
            lose_link(written.status == IoResult::Status::closed
                          ? "the printer's link closed"
                          : "writing to the printer failed: " + written.error);
        }
        return;
    }
}

void Streamer::Session::lose_link(const std::string& reason) {
    // Unplugged or powered off mid-job: the lines confirmed so far were printed, and the job can
    // go on from its layer once the printer is back (the board has reset: nothing of the job
    // survives in it).
    if (job_active_) {
        end_job(EventKind::job_interrupted,
                reason + " at line " + std::to_string(acknowledged_line_) +
                    " (unplugged or powered off?); resume the job from its layer once the "
                    "printer is back");
    }
    emit(make_event(EventKind::link_lost, reason));
    link_.reset();
}

void Streamer::Session::do_emergency_stop() {
    // A line half written would swallow the M112: end it first. Nothing queued goes after.
    const bool mid_line = !out_.empty();
    out_.clear();
    std::string stop = mid_line ? "\nM112\n" : "M112\n";
    if (config_.terminal) config_.terminal->add(true, "M112");
    if (link_) {
        for (int attempt = 0; attempt < 100 && !stop.empty(); ++attempt) {
            const IoResult written = link_->write(stop.data(), stop.size());
            if (written.status == IoResult::Status::ok) stop.erase(0, written.bytes);
            if (written.status == IoResult::Status::closed ||
                written.status == IoResult::Status::error)
                break;
        }
    }
    if (job_active_) end_job(EventKind::job_failed, "emergency stop");
    set_state(PrinterState::error);
    emit(make_event(EventKind::error, "emergency stop (M112 sent)"));
    link_.reset();
}

void Streamer::Session::take_controls(double now) {
    std::deque<Control> taken;
    {
        // try_lock: a caller holding the lock can only delay its own control, never sending.
        const std::unique_lock lock(controls_mutex_, std::try_to_lock);
        if (!lock.owns_lock()) return;
        taken.swap(controls_);
    }
    for (Control& control : taken)
        apply(control, now);
}

void Streamer::Session::publish_counters() {
    const std::unique_lock lock(counters_mutex, std::try_to_lock);
    if (lock.owns_lock()) shared_counters = protocol_.counters();
    shared_strategy = protocol_.strategy();
}

void Streamer::Session::set_state(PrinterState state) {
    if (state == state_ && state == shared_state.load()) return;
    state_ = state;
    shared_state = state;
    emit(make_event(EventKind::state, std::string(to_string(state))));
}

void Streamer::Session::emit(StreamerEvent event) {
    event.state = state_;
    events.push(std::move(event));
    signal(events_fd);
}

// --- The public API: queue and read, nothing else. ---

Streamer::Streamer(const StreamerConfig& config) : session_(std::make_unique<Session>(config)) {}
Streamer::~Streamer() = default;

Status Streamer::connect() {
    return session_->connect();
}
void Streamer::disconnect() {
    session_->stop_thread();
}
void Streamer::set_capture(CaptureCallback capture) {
    session_->capture.set(std::move(capture));
}

Status Streamer::start_job(const std::string& job_path, const JobTimeline& timeline) {
    if (session_->shared_state.load() != PrinterState::operational)
        return fail(ErrorCode::busy,
                    "the printer is not ready (" + std::string(to_string(state())) + ")");
    JobReader probe;
    if (Status readable = probe.open(job_path); !readable) return readable;
    session_->post({Control::Kind::start_job, job_path, timeline});
    return {};
}

void Streamer::pause() {
    session_->post({Control::Kind::pause, {}, {}});
}
void Streamer::resume() {
    session_->post({Control::Kind::resume, {}, {}});
}
void Streamer::cancel() {
    session_->post({Control::Kind::cancel, {}, {}});
}
void Streamer::abandon() {
    session_->post({Control::Kind::abandon, {}, {}});
}
void Streamer::send_command(const std::string& command) {
    session_->post({Control::Kind::command, command, {}});
}
void Streamer::set_temperature_offsets(const TemperatureOffsets& offsets) {
    session_->post({Control::Kind::temperature_offsets, {}, {}, offsets});
}
void Streamer::emergency_stop() {
    session_->emergency_stop();
}
PrinterState Streamer::state() const {
    return session_->shared_state.load();
}

bool Streamer::poll_event(StreamerEvent& event) {
    return session_->events.pop(event);
}

bool Streamer::wait_event(StreamerEvent& event, double timeout_s) {
    if (session_->events.pop(event)) return true;
    pollfd waiting{session_->events_fd, POLLIN, 0};
    ::poll(&waiting, 1, static_cast<int>(timeout_s * 1000.0));
    drain(session_->events_fd);
    return session_->events.pop(event);
}

ProtocolCounters Streamer::counters() const {
    const std::lock_guard lock(session_->counters_mutex);
    return session_->shared_counters;
}

SendStrategy Streamer::strategy() const {
    return session_->shared_strategy.load();
}

bool Streamer::realtime() const {
    return session_->shared_realtime.load();
}

JobProgress Streamer::snapshot_progress() const {
    const std::lock_guard lock(session_->snapshot_mutex);
    return session_->shared_snapshot_progress;
}

std::string_view to_string(PrinterState state) {
    switch (state) {
        case PrinterState::disconnected: return "disconnected";
        case PrinterState::connecting: return "connecting";
        case PrinterState::operational: return "operational";
        case PrinterState::printing: return "printing";
        case PrinterState::pausing: return "pausing";
        case PrinterState::paused: return "paused";
        case PrinterState::cancelling: return "cancelling";
        case PrinterState::error: return "error";
    }
    return "?";
}

}  // namespace strata::streamer
