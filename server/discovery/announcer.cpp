// Announcer (see strata/server/announcer.hpp) on libavahi-client. Avahi calls back on its poll
// thread; everything that touches the client or the entry group runs there or under
// `avahi_threaded_poll_lock`. The client is made with AVAHI_CLIENT_NO_FAIL so that a daemon
// that is not up yet is waited for; when the daemon goes away the client fails with
// AVAHI_ERR_DISCONNECTED and is made again, and the services are published anew when it runs.
#include "strata/server/announcer.hpp"

#include <arpa/inet.h>
#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "strata/common/log.hpp"

namespace strata::server {

struct Announcer::Impl {
    Announcement announcement;
    AvahiThreadedPoll* poll = nullptr;
    AvahiClient* client = nullptr;
    AvahiEntryGroup* group = nullptr;
    mutable std::mutex name_mutex;  // The published name is read from other threads.
    std::string published_name;

    // Runs on Avahi's thread (or before it starts).
    void connect() {
        int error = 0;
        client = avahi_client_new(avahi_threaded_poll_get(poll), AVAHI_CLIENT_NO_FAIL,
                                  &Impl::on_client_state, this, &error);
        if (client == nullptr)
            log_message(LogLevel::warning, "strata serve: discovery: %s", avahi_strerror(error));
    }

    static void on_client_state(AvahiClient* changed, AvahiClientState state, void* data) {
        auto& impl = *static_cast<Impl*>(data);
        impl.client = changed;  // Called from inside avahi_client_new, before it returns.
        switch (state) {
            case AVAHI_CLIENT_S_RUNNING: impl.publish(); break;
            case AVAHI_CLIENT_S_COLLISION:
            case AVAHI_CLIENT_S_REGISTERING:
                // The host's own name is being (re)negotiated: publish again once it runs.
                if (impl.group != nullptr) avahi_entry_group_reset(impl.group);
                break;
            case AVAHI_CLIENT_CONNECTING:
                log_message(LogLevel::notice,
                            "strata serve: discovery: waiting for the Avahi daemon");
                break;
            case AVAHI_CLIENT_FAILURE: impl.on_failure(); break;
        }
    }

    void on_failure() {
        const int error = avahi_client_errno(client);
        group = nullptr;  // Freed with the client.
        avahi_client_free(client);
        client = nullptr;
        set_published_name("");
        if (error == AVAHI_ERR_DISCONNECTED) {
            log_message(LogLevel::notice, "strata serve: discovery: the Avahi daemon went away");
            connect();
            return;
        }
        log_message(LogLevel::warning, "strata serve: discovery: %s", avahi_strerror(error));
    }

    static void on_group_state(AvahiEntryGroup* changed, AvahiEntryGroupState state, void* data) {
        auto& impl = *static_cast<Impl*>(data);
        impl.group = changed;
        if (state == AVAHI_ENTRY_GROUP_ESTABLISHED) {
            impl.set_published_name(impl.announcement.name);
            log_message(LogLevel::info, "strata serve: announced as \"%s\" (_octoprint._tcp)",
                        impl.announcement.name.c_str());
        } else if (state == AVAHI_ENTRY_GROUP_COLLISION) {
            impl.rename();
            impl.publish();
        } else if (state == AVAHI_ENTRY_GROUP_FAILURE) {
            log_message(LogLevel::warning, "strata serve: discovery: %s",
                        avahi_strerror(avahi_client_errno(impl.client)));
        }
    }

    void rename() {
        char* alternative = avahi_alternative_service_name(announcement.name.c_str());
        log_message(LogLevel::notice, "strata serve: discovery: \"%s\" is taken; trying \"%s\"",
                    announcement.name.c_str(), alternative);
        announcement.name = alternative;
        avahi_free(alternative);
    }

    void publish() {
        if (group == nullptr) group = avahi_entry_group_new(client, &Impl::on_group_state, this);
        if (group == nullptr) {
            log_message(LogLevel::warning, "strata serve: discovery: %s",
                        avahi_strerror(avahi_client_errno(client)));
            return;
        }
        avahi_entry_group_reset(group);
        for (int attempt = 0; attempt < 10; ++attempt) {
            const int added = add_services();
            if (added == AVAHI_ERR_COLLISION) {
                avahi_entry_group_reset(group);
                rename();
                continue;
            }
            if (added >= 0) avahi_entry_group_commit(group);
            if (added < 0)
                log_message(LogLevel::warning, "strata serve: discovery: %s",
                            avahi_strerror(added));
            return;
        }
    }

    // OctoPrint's TXT records (its discovery plugin's), and plain HTTP for browsers.
    int add_services() {
        const Announcement& a = announcement;
        AvahiStringList* octoprint = avahi_string_list_new(
            ("path=" + a.path).c_str(), ("version=" + a.octoprint_version).c_str(),
            ("api=" + a.api_version).c_str(), ("uuid=" + a.uuid).c_str(),
            ("model=" + a.model).c_str(), ("vendor=" + a.vendor).c_str(), nullptr);
        int result = avahi_entry_group_add_service_strlst(
            group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, AvahiPublishFlags(0), a.name.c_str(),
            "_octoprint._tcp", nullptr, nullptr, a.port, octoprint);
        avahi_string_list_free(octoprint);
        if (result < 0) return result;
        AvahiStringList* http = avahi_string_list_new(("path=" + a.path).c_str(), nullptr);
        result = avahi_entry_group_add_service_strlst(group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                      AvahiPublishFlags(0), a.name.c_str(),
                                                      "_http._tcp", nullptr, nullptr, a.port, http);
        avahi_string_list_free(http);
        return result;
    }

    void set_published_name(const std::string& name) {
        const std::lock_guard lock(name_mutex);
        published_name = name;
    }
};

Announcer::Announcer() : impl_(std::make_unique<Impl>()) {}

Announcer::~Announcer() {
    stop();
}

Status Announcer::start(const Announcement& announcement) {
    Impl& impl = *impl_;
    if (impl.poll != nullptr) return fail(ErrorCode::conflict, "the announcer runs already");
    impl.announcement = announcement;
    impl.poll = avahi_threaded_poll_new();
    if (impl.poll == nullptr) return fail(ErrorCode::internal, "discovery: no Avahi poll");
    impl.connect();  // Before the thread starts: no lock needed.
    if (impl.client == nullptr || avahi_threaded_poll_start(impl.poll) < 0) {
        stop();
        return fail(ErrorCode::unavailable, "discovery: the Avahi client cannot be made");
    }
    return {};
}

void Announcer::stop() {
    Impl& impl = *impl_;
    if (impl.poll == nullptr) return;
    avahi_threaded_poll_stop(impl.poll);  // Joins Avahi's thread: no callback runs after it.
    if (impl.client != nullptr) avahi_client_free(impl.client);  // Withdraws the services.
    impl.client = nullptr;
    impl.group = nullptr;
    avahi_threaded_poll_free(impl.poll);
    impl.poll = nullptr;
    impl.set_published_name("");
}

std::string Announcer::published_name() const {
    const std::lock_guard lock(impl_->name_mutex);
    return impl_->published_name;
}

bool is_loopback_address(const std::string& address) {
    if (address == "localhost") return true;
    in_addr v4{};
    if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24U) == 127U;
    in6_addr v6{};
    return ::inet_pton(AF_INET6, address.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

Result<std::string> instance_id(const std::string& data_directory) {
    const std::filesystem::path path = std::filesystem::path(data_directory) / "instance-id";
    std::string id;
    if (std::ifstream in(path); in && std::getline(in, id) && id.size() == 36) return id;
    std::ifstream random("/proc/sys/kernel/random/uuid");
    if (!random || !std::getline(random, id) || id.size() != 36)
        return fail(ErrorCode::io, "cannot make an instance id: /proc/sys/kernel/random/uuid");
    const std::filesystem::path temporary = path.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return errno_error("cannot write " + temporary.string(), errno);
    const std::string line = id + "\n";
    const bool written =
        ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
        ::fsync(fd) == 0;
    const int write_errno = errno;
    ::close(fd);
    if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
        const int failure = written ? errno : write_errno;
        ::unlink(temporary.c_str());
        return errno_error("cannot write " + path.string(), failure);
    }
    return id;
}

}  // namespace strata::server
