// WebhookQueue over `webhooks` and `webhook_deliveries`, and the signature (libsodium's
// HMAC-SHA256).
#include "strata/server/webhooks.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace strata::server {
namespace {

bool wants(std::string_view types, std::string_view type) {
    if (types == "*") return true;
    while (!types.empty()) {
        const std::size_t comma = types.find(',');
        std::string_view item = types.substr(0, comma);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        if (item == type) return true;
        if (comma == std::string_view::npos) break;
        types.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

std::string webhook_signature(std::string_view secret, std::int64_t timestamp_s,
                              std::string_view body) {
    const std::string signed_text = std::to_string(timestamp_s) + "." + std::string(body);
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    crypto_auth_hmacsha256_update(
        &state, reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    std::string hex(mac.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
    hex.pop_back();
    return "t=" + std::to_string(timestamp_s) + ",v1=" + hex;
}

double retry_delay_s(int attempt) {
    return std::min(3600.0, 10.0 * std::pow(2.0, std::max(0, attempt - 1)));
}

Result<std::int64_t> WebhookQueue::add_webhook(std::string_view url, std::string_view secret,
                                               std::string_view event_types, double now_s) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        return fail(ErrorCode::invalid, "url: must start with http:// or https://");
    if (secret.size() < 16) return fail(ErrorCode::invalid, "secret: at least 16 characters");
    Statement insert = db_.prepare(
        "INSERT INTO webhooks (url, secret, event_types, created_s) VALUES (?, ?, ?, ?)");
    if (Status added =
            insert.bind(1, url).bind(2, secret).bind(3, event_types).bind(4, now_s).run();
        !added)
        return added.take_error();
    return db_.last_insert_id();
}

Result<std::vector<Webhook>> WebhookQueue::webhooks() {
    Statement select =
        db_.prepare("SELECT id, url, event_types, enabled FROM webhooks ORDER BY id");
    std::vector<Webhook> found;
    while (select.step() == Statement::Step::row)
        found.push_back({select.int64(0), select.text(1), select.text(2), select.int64(3) != 0});
    if (Status status = select.status(); !status) return status.take_error();
    return found;
}

Result<bool> WebhookQueue::remove_webhook(std::int64_t id) {
    Statement remove = db_.prepare("DELETE FROM webhooks WHERE id = ?");
    if (Status removed = remove.bind(1, id).run(); !removed) return removed.take_error();
    return db_.changes() > 0;
}

Status WebhookQueue::enqueue(const Event& event) {
    Statement hooks = db_.prepare("SELECT id, event_types FROM webhooks WHERE enabled = 1");
    Statement insert = db_.prepare(
        "INSERT OR IGNORE INTO webhook_deliveries (webhook_id, event_id, next_attempt_s) "
        "VALUES (?, ?, ?)");
    if (Status compiled = insert.status(); !compiled) return compiled;
    while (hooks.step() == Statement::Step::row) {
        if (!wants(hooks.text(1), event.type)) continue;
        insert.reset();
        if (Status queued =
                insert.bind(1, hooks.int64(0)).bind(2, event.id).bind(3, event.at_s).run();
            !queued)
            return queued;
    }
    return hooks.status();
}

std::vector<Delivery> WebhookQueue::due(double now_s, std::size_t limit) {
    std::vector<Delivery> deliveries;
    Statement select = db_.prepare(
        "SELECT d.id, w.id, w.url, w.secret, e.id, e.at_s, e.type, e.payload_json, d.attempts "
        "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
        "JOIN events e ON e.id = d.event_id "
        "WHERE d.delivered_s IS NULL AND d.attempts < ? AND d.next_attempt_s <= ? "
        "AND w.enabled = 1 ORDER BY d.next_attempt_s, d.id LIMIT ?");
    select.bind(1, static_cast<std::int64_t>(max_attempts)).bind(2, now_s);
    select.bind(3, static_cast<std::int64_t>(limit));
    while (select.step() == Statement::Step::row) {
        Delivery delivery;
        delivery.id = select.int64(0);
        delivery.webhook_id = select.int64(1);
        delivery.url = select.text(2);
        delivery.secret = select.text(3);
        delivery.event = {select.int64(4), select.real(5), select.text(6), select.text(7)};
        delivery.attempts = static_cast<int>(select.int64(8));
        deliveries.push_back(std::move(delivery));
    }
    return deliveries;
}

Status WebhookQueue::delivered(std::int64_t delivery_id, double now_s) {
    Statement update = db_.prepare(
        "UPDATE webhook_deliveries SET delivered_s = ?, attempts = attempts + 1 WHERE id = ?");
    return update.bind(1, now_s).bind(2, delivery_id).run();
}

Status WebhookQueue::failed(std::int64_t delivery_id, const std::string& why, double now_s) {
    Statement select = db_.prepare("SELECT attempts FROM webhook_deliveries WHERE id = ?");
    if (select.bind(1, delivery_id).step() != Statement::Step::row) {
        if (Status status = select.status(); !status) return status;
        return fail(ErrorCode::not_found, "no delivery " + std::to_string(delivery_id));
    }
    const int attempts = static_cast<int>(select.int64(0)) + 1;
    Statement update = db_.prepare(
        "UPDATE webhook_deliveries SET attempts = ?, last_error = ?, next_attempt_s = ? "
        "WHERE id = ?");
    update.bind(1, static_cast<std::int64_t>(attempts)).bind(2, std::string_view(why));
    return update.bind(3, now_s + retry_delay_s(attempts)).bind(4, delivery_id).run();
}

}  // namespace strata::server
