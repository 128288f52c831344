// PushHub: the clients, what they said (auth, throttle, subscribe, on the connection's thread)
// and the sending thread. Each round the thread takes the events published since the last one,
// hands out the temperature reports and terminal lines that arrived (read from the printer
// service, not pushed by it), and sends each client what is due. The payloads themselves are
// written in push_messages.cpp.
#include "push_hub.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <utility>

#include "push_messages.hpp"
#include "strata/common/json_member.hpp"

namespace strata::server::api {

struct PushHub::Client {
    std::shared_ptr<http::WebSocket> socket;
    Framing framing = Framing::raw;
    std::mutex mutex;  ///< Guards the members below (the reactor and the sending thread).
    std::optional<User> user;
    std::string session_token;
    int throttle = 1;
    bool history_wanted = false;
    double next_current_s = 0.0;
    double next_heartbeat_s = 0.0;
    double next_session_check_s = 0.0;
    PushSubscription subscription;
    std::deque<std::string> temps;     ///< JSON objects since the last `current`.
    std::deque<std::string> logs;      ///< "Send: ..." / "Recv: ..."
    std::deque<std::string> messages;  ///< What the printer said.

    // With `mutex`.
    void emit(std::string_view type, std::string_view payload_json) {
        std::string text = "{" + json_string(type) + ":";
        text += payload_json.empty() ? "null" : payload_json;
        text += '}';
        // OctoPrint's SockJS frames carry the message as a JSON object, not as a string.
        if (framing == Framing::sockjs) text = "a[" + text + "]";
        socket->send_text(text);
    }
};

namespace {

template <typename T>
void append_bounded(std::deque<T>& backlog, T&& item) {
    backlog.push_back(std::forward<T>(item));
    while (backlog.size() > PushHub::max_backlog)
        backlog.pop_front();
}

}  // namespace

PushHub::PushHub(const ServerConfig& config, Store& store, EventHub& events,
                 PrinterService& printer)
    : config_(config), store_(store), events_hub_(events), printer_(printer) {}

PushHub::~PushHub() {
    stop();
}

void PushHub::start() {
    {
        const std::lock_guard lock(mutex_);
        if (running_) return;
        running_ = true;
        stopping_ = false;
        timelapse_json_ = timelapse_payload(printer_);
    }
    const std::int64_t newest = store_.with([](Database& db) { return EventLog(db).newest_id(); });
    // Subscribed without this hub's lock: an event logged since `newest` is handed over at once,
    // on this thread, and the subscriber takes the lock (found by UploadTest under load: a prep
    // published one in between, and start waited for its own lock). Called later on the
    // publisher's thread with the event hub's lock held: a copy goes on the queue.
    const std::uint64_t subscription = events_hub_.subscribe(newest, [this](const Event& event) {
        if (event.id == 0) return true;  // Heartbeats, terminal lines, temperatures: polled.
        const std::lock_guard queued(mutex_);
        if (clients_.empty()) return true;
        events_.push_back({event.type, event.payload_json});
        if (events_.size() > max_backlog) events_.erase(events_.begin());
        wake_.notify_one();
        return true;
    });
    const std::lock_guard lock(mutex_);
    subscription_ = subscription;
    thread_ = std::thread([this] { run(); });
}

void PushHub::stop() {
    std::vector<std::shared_ptr<Client>> clients;
    {
        const std::lock_guard lock(mutex_);
        if (!running_) return;
        stopping_ = true;
        clients = clients_;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    events_hub_.unsubscribe(subscription_);
    for (const std::shared_ptr<Client>& client : clients) {
        if (client->framing == Framing::sockjs) client->socket->send_text("c[3000,\"Go away!\"]");
        client->socket->close(1001, "the server is stopping");
    }
    const std::lock_guard lock(mutex_);
    clients_.clear();
    running_ = false;
}

void PushHub::adopt(const std::shared_ptr<http::WebSocket>& socket, Framing framing) {
    auto client = std::make_shared<Client>();
    client->socket = socket;
    client->framing = framing;
    const std::weak_ptr<Client> weak = client;
    http::WebSocket::Handlers handlers;
    handlers.on_open = [this, weak] {
        const std::shared_ptr<Client> open = weak.lock();
        if (!open) return;
        const std::lock_guard lock(open->mutex);
        if (open->framing == Framing::sockjs) open->socket->send_text("o");
        open->emit("connected", connected_payload(config_));
    };
    handlers.on_text = [this, weak](std::string&& text) {
        if (const std::shared_ptr<Client> open = weak.lock()) on_text(open, std::move(text));
    };
    handlers.on_closed = [this, weak] {
        const std::shared_ptr<Client> closed = weak.lock();
        const std::lock_guard lock(mutex_);
        std::erase(clients_, closed);
    };
    socket->set_handlers(std::move(handlers));
    const std::lock_guard lock(mutex_);
    clients_.push_back(std::move(client));
}

// A SockJS frame from the client is a JSON array of messages (or one message as a string); a
// frame that is not closes the session, as sockjs-tornado does. A raw socket's text is the
// message.
void PushHub::on_text(const std::shared_ptr<Client>& client, std::string&& text) {
    if (client->framing == Framing::raw) {
        on_message(*client, text);
        return;
    }
    if (text.empty()) return;
    rapidjson::Document frame;
    frame.Parse(text.data(), text.size());
    std::vector<std::string> messages;
    if (!frame.HasParseError() && frame.IsString()) {
        messages.emplace_back(frame.GetString(), frame.GetStringLength());
    } else if (!frame.HasParseError() && frame.IsArray()) {
        for (const rapidjson::Value& item : frame.GetArray())
            if (item.IsString()) messages.emplace_back(item.GetString(), item.GetStringLength());
    } else {
        client->socket->close(1002, "a SockJS frame is a JSON array of strings");
        return;
    }
    for (const std::string& message : messages)
        on_message(*client, message);
}

void PushHub::on_message(Client& client, std::string_view message_json) {
    rapidjson::Document message;
    message.Parse(message_json.data(), message_json.size());
    if (message.HasParseError() || !message.IsObject()) return;  // Ignored, as OctoPrint does.
    if (const rapidjson::Value* auth = json_member(message, "auth"); auth && auth->IsString()) {
        authenticate(client, std::string_view(auth->GetString(), auth->GetStringLength()));
        return;
    }
    const std::lock_guard lock(client.mutex);
    if (const rapidjson::Value* throttle = json_member(message, "throttle")) {
        // OctoPrint takes int(value): a whole number or its text, at least 1.
        std::optional<std::int64_t> factor;
        if (throttle->IsInt64()) factor = throttle->GetInt64();
        if (throttle->IsString()) factor = whole_number(throttle->GetString());
        if (factor && *factor >= 1 && *factor <= 1000) client.throttle = static_cast<int>(*factor);
        return;
    }
    if (const rapidjson::Value* subscribe = json_member(message, "subscribe")) {
        const bool had_state = client.subscription.active ? client.subscription.state : true;
        if (!read_subscription(*subscribe, client.subscription)) return;
        // State asked for anew: a history first, as OctoPrint sends.
        if (client.subscription.state && !had_state && client.user) client.history_wanted = true;
        wake_.notify_one();
    }
}

void PushHub::authenticate(Client& client, std::string_view credentials) {
    const std::size_t colon = credentials.find(':');
    if (colon == std::string_view::npos ||
        credentials.find(':', colon + 1) != std::string_view::npos)
        return;  // Not "user:session": ignored, as OctoPrint does.
    const std::string name(credentials.substr(0, colon));
    const std::string token(credentials.substr(colon + 1));
    const std::optional<Session> session =
        store_.with([&token](Database& db) { return Sessions(db).find(token, unix_now_s()); });
    const std::lock_guard lock(client.mutex);
    if (!session || session->user.name != name) {
        client.user.reset();
        client.emit("reauthRequired", R"({"reason":"stale"})");
        return;
    }
    client.user = session->user;
    client.session_token = token;
    client.history_wanted = true;
    client.next_session_check_s = unix_now_s() + session_check_interval_s;
    wake_.notify_one();
}

void PushHub::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(100));
        if (stopping_) break;
        std::vector<Queued> events;
        events.swap(events_);
        const bool timelapse_changed = std::exchange(timelapse_changed_, false);
        lock.unlock();
        send_round(unix_now_s(), std::move(events), timelapse_changed);
        lock.lock();
    }
}

void PushHub::collect_backlogs(std::vector<std::shared_ptr<Client>>& clients) {
    std::vector<std::string> temps;
    for (const TemperatureSample& sample : printer_.temperature_history(64)) {
        if (sample.time_unix_s <= newest_sample_s_) continue;
        newest_sample_s_ = sample.time_unix_s;
        temps.push_back(temperature_sample_json(sample));
    }
    std::uint64_t first_kept = 0;
    const std::vector<streamer::TerminalLine> lines =
        printer_.terminal().since(newest_line_, max_backlog, first_kept);
    if (!lines.empty()) newest_line_ = lines.back().seq;
    if (temps.empty() && lines.empty()) return;
    for (const std::shared_ptr<Client>& client : clients) {
        const std::lock_guard lock(client->mutex);
        if (!client->user) continue;
        for (const std::string& sample : temps)
            append_bounded(client->temps, std::string(sample));
        for (const streamer::TerminalLine& line : lines) {
            append_bounded(client->logs, log_text(line));
            if (!line.sent) append_bounded(client->messages, std::string(line.text));
        }
    }
}

void PushHub::timelapse_changed() {
    {
        const std::lock_guard lock(mutex_);
        timelapse_changed_ = true;
    }
    wake_.notify_one();
}

void PushHub::send_round(double now_s, std::vector<Queued>&& events, bool timelapse_changed) {
    if (timelapse_changed) timelapse_json_ = timelapse_payload(printer_);
    std::vector<std::shared_ptr<Client>> clients;
    {
        const std::lock_guard lock(mutex_);
        clients = clients_;
    }
    if (clients.empty()) return;
    collect_backlogs(clients);
    // Read every round (ten a second), written once for every client: a state that changed goes
    // out at once, throttle or not, as OctoPrint's state monitor sends a change, so that a
    // state as short as the demo printer's Cancelling is seen by clients that close their job
    // records on it (FDM Monster).
    std::string state_text;
    const std::string state = state_members(printer_, now_s, state_text);
    const bool state_changed = state_text != last_state_text_;
    last_state_text_ = state_text;
    for (const std::shared_ptr<Client>& held : clients) {
        Client& client = *held;
        const std::lock_guard lock(client.mutex);
        if (client.framing == Framing::sockjs && now_s >= client.next_heartbeat_s) {
            if (client.next_heartbeat_s > 0.0) client.socket->send_text("h");
            client.next_heartbeat_s = now_s + heartbeat_interval_s;
        }
        if (!client.user) continue;
        if (now_s >= client.next_session_check_s) {
            client.next_session_check_s = now_s + session_check_interval_s;
            const std::optional<Session> session = store_.with([&client, now_s](Database& db) {
                return Sessions(db).find(client.session_token, now_s);
            });
            if (!session || session->user.id != client.user->id) {
                client.user.reset();
                client.emit("reauthRequired", R"({"reason":"logout"})");
                continue;
            }
        }
        if (timelapse_changed && !client.history_wanted) client.emit("timelapse", timelapse_json_);
        for (const Queued& event : events)
            if (client.subscription.wants_event(event.type))
                client.emit("event", event_payload(event.type, event.payload_json));
        const bool state_wanted = !client.subscription.active || client.subscription.state;
        if (!state_wanted) continue;
        if (client.history_wanted) {
            client.history_wanted = false;
            client.temps.clear();
            client.logs.clear();
            client.messages.clear();
            client.emit("history", history_payload(printer_, state, client.subscription));
            client.emit("timelapse", timelapse_json_);
            client.next_current_s = now_s + current_interval_s * client.throttle;
            continue;
        }
        if (now_s < client.next_current_s && !state_changed) continue;
        client.next_current_s = now_s + current_interval_s * client.throttle;
        client.emit("current", current_payload(state, client.temps, client.logs, client.messages,
                                               client.subscription));
        client.temps.clear();
        client.logs.clear();
        client.messages.clear();
    }
}

}  // namespace strata::server::api
