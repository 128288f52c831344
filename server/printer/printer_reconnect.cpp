// A printer that went away is connected again when it comes back: unplugged and plugged in,
// power-cycled, or its USB reset. The streamer reports the lost link (and interrupts the job,
// which stays resumable from its layer); the service then waits on a thread of its own until the
// port is there again (a /dev/serial/by-id name comes back under the same name) and connects
// with the options it had. A disconnect by the user, a connect, or the server stopping ends the
// wait.
#include <unistd.h>

#include <chrono>

#include "strata/common/log.hpp"
#include "strata/server/printer_service.hpp"

namespace strata::server {
namespace {

constexpr auto port_check_period = std::chrono::milliseconds(500);
// A port that is there but whose printer does not answer yet (still booting), or a port
// found by trying them all: not more often than this.
constexpr auto connect_retry_period = std::chrono::seconds(5);

// A device path is checked before connecting; "auto" and a TCP bridge can only be tried.
bool is_device_path(const std::string& target) {
    return !target.empty() && target.front() == '/';
}

}  // namespace

void PrinterService::reconnect_when_back(const streamer::LinkOptions& link) {
    const std::lock_guard lock(reconnect_mutex_);
    if (reconnect_running_) return;
    if (reconnector_.joinable()) reconnector_.join();  // One that has finished.
    reconnect_stopping_ = false;
    reconnect_running_ = true;
    reconnector_ = std::thread([this, link] { wait_and_reconnect(link); });
}

void PrinterService::stop_reconnecting() {
    std::thread finishing;
    {
        const std::lock_guard lock(reconnect_mutex_);
        reconnect_stopping_ = true;
        finishing = std::move(reconnector_);
    }
    reconnect_wake_.notify_all();
    if (finishing.joinable()) finishing.join();
}

void PrinterService::wait_and_reconnect(const streamer::LinkOptions& link) {
    log_message(LogLevel::notice, "strata serve: waiting for the printer on %s to come back",
                link.target.c_str());
    std::unique_lock lock(reconnect_mutex_);
    auto next_attempt = std::chrono::steady_clock::now();
    while (!reconnect_wake_.wait_for(lock, port_check_period,
                                     [this] { return reconnect_stopping_; })) {
        if (is_device_path(link.target) && ::access(link.target.c_str(), F_OK) != 0) continue;
        if (std::chrono::steady_clock::now() < next_attempt) continue;
        {
            const std::lock_guard status_lock(mutex_);
            if (status_.state != streamer::PrinterState::disconnected &&
                status_.state != streamer::PrinterState::error)
                break;  // Someone connected it meanwhile.
        }
        lock.unlock();
        const Status connected = connect(link);
        lock.lock();
        if (connected) {
            log_message(LogLevel::notice, "strata serve: the printer on %s is back: connected",
                        link.target.c_str());
            break;
        }
        next_attempt = std::chrono::steady_clock::now() + connect_retry_period;
    }
    reconnect_running_ = false;
}

}  // namespace strata::server
