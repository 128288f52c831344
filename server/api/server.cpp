// Server: the composition. Members are built in dependency order (store, events, webhooks,
// library, printer, recordings, the API, the HTTP adapter) and stopped in the reverse: no new
// requests first, then the printer, then the workers. A heartbeat thread keeps event streams alive
// and expires old sessions.
#include "strata/server/server.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <thread>

#include "application.hpp"
#include "strata/server/webhooks.hpp"

namespace strata::server {

struct Server::Impl {
    explicit Impl(ServerConfig configuration)
        : config(std::move(configuration)),
          events(store),
          webhooks(store),
          library(config.data_directory, store, events),
          printer(config.printer, store, events, library),
          recordings(config.printer.timelapse_directory, store, events),
          // KeyCache, LoginLimiter, AppKeyRequests, LoginLimiter, PushHub, PasswordChecker.
          services{config,
                   store,
                   events,
                   library,
                   printer,
                   recordings,
                   {},
                   {},
                   {},
                   {},
                   {config, store, events, printer},
                   {}},
          application(services),
          http(config.http, application) {}

    void beat() {
        std::unique_lock lock(mutex);
        while (!stopping) {
            const auto period = std::chrono::milliseconds(
                static_cast<long>(1000.0 * std::min(15.0, config.session_sweep_interval_s)));
            if (wake.wait_for(lock, period, [this] { return stopping; })) break;
            lock.unlock();
            events.heartbeat();
            store.with([](Database& db) { return Sessions(db).expire(unix_now_s()); });
            lock.lock();
        }
    }

    ServerConfig config;
    Store store;
    EventHub events;
    WebhookSender webhooks;
    FileLibrary library;
    PrinterService printer;
    Recordings recordings;
    api::Services services;
    api::ApiApplication application;
    http::HttpServer http;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    bool started = false;
    std::thread heartbeat;
};

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() {
    stop();
}

Status Server::start() {
    Impl& impl = *impl_;
    std::error_code failure;
    std::filesystem::create_directories(impl.config.data_directory, failure);
    if (failure)
        return Error{
            error_code_of_errno(failure.value()),
            "cannot create " + impl.config.data_directory.string() + ": " + failure.message()};
    ::chmod(impl.config.data_directory.c_str(), 0700);  // Keys, sessions and uploads inside.
    if (Status opened = impl.store.open(impl.config.data_directory / "strata.db"); !opened)
        return opened;
    const std::int64_t admins =
        impl.store.with([](Database& db) { return Accounts(db).admin_count(); });
    if (admins == 0 && !impl.config.allow_without_admin)
        return fail(ErrorCode::invalid,
                    "no admin account yet: create one with `strata user add NAME --admin --data " +
                        impl.config.data_directory.string() +
                        "` (it prints the password and API key)");
    impl.printer.recover_interrupted_jobs();
    impl.printer.load_timelapse_settings();
    impl.library.on_ready([&impl](const StoredFile& file) { impl.printer.file_ready(file); });
    if (Status started = impl.library.start(); !started) return started;
    impl.events.on_published([&impl] { impl.webhooks.wake(); });
    impl.webhooks.start();
    if (Status listening = impl.http.start(); !listening) {
        stop();
        return listening;
    }
    impl.started = true;
    impl.services.push.start();
    impl.heartbeat = std::thread([&impl] { impl.beat(); });
    impl.events.publish("Startup", "{}");
    return {};
}

void Server::stop() {
    Impl& impl = *impl_;
    impl.http.stop();
    impl.services.push.stop();
    {
        const std::lock_guard lock(impl.mutex);
        impl.stopping = true;
    }
    impl.wake.notify_all();
    if (impl.heartbeat.joinable()) impl.heartbeat.join();
    impl.printer.shut_down();
    impl.library.stop();
    impl.events.on_published({});
    impl.webhooks.stop();
    if (impl.started) {
        impl.started = false;
        impl.events.publish("Shutdown", "{}");
    }
}

std::uint16_t Server::port() const {
    return impl_->http.port();
}
Store& Server::store() {
    return impl_->store;
}
EventHub& Server::events() {
    return impl_->events;
}
FileLibrary& Server::library() {
    return impl_->library;
}
PrinterService& Server::printer() {
    return impl_->printer;
}
http::Application& Server::application() {
    return impl_->application;
}

}  // namespace strata::server
