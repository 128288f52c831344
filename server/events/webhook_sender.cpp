// WebhookSender: libcurl, one easy handle per delivery (deliveries are rare and to different
// hosts), a hard timeout, redirects not followed (a webhook URL is configured, not discovered).
// The store is only locked to read what is due and to record outcomes, never across a request.
#include <curl/curl.h>

#include <chrono>
#include <sstream>

#include "strata/common/json_writer.hpp"
#include "strata/common/log.hpp"
#include "strata/server/clock.hpp"
#include "strata/server/webhooks.hpp"

namespace strata::server {
namespace {

std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
    return size * count;
}

// True on a 2xx answer; otherwise `why` says what happened.
bool post(const Delivery& delivery, double timeout_s, std::string& why) {
    std::ostringstream body_text;
    JsonWriter(body_text)
        .begin_object()
        .field("id", delivery.event.id)
        .field("type", delivery.event.type)
        .field("at", delivery.event.at_s)
        .key("payload")
        .raw(delivery.event.payload_json.empty() ? "{}" : delivery.event.payload_json)
        .end_object();
    const std::string body = body_text.str();
    const auto timestamp = static_cast<std::int64_t>(unix_now_s());
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
        why = "libcurl could not start a request";
        return false;
    }
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, ("X-Strata-Event: " + delivery.event.type).c_str());
    headers =
        curl_slist_append(headers, ("X-Strata-Delivery: " + std::to_string(delivery.id)).c_str());
    headers = curl_slist_append(
        headers,
        ("X-Strata-Signature: " + webhook_signature(delivery.secret, timestamp, body)).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, delivery.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_s * 1000.0));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "strata-webhook");
    const CURLcode result = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (result != CURLE_OK) {
        why = curl_easy_strerror(result);
        return false;
    }
    if (status < 200 || status >= 300) {
        why = "HTTP " + std::to_string(status);
        return false;
    }
    return true;
}

}  // namespace

WebhookSender::WebhookSender(Store& store, double timeout_s)
    : store_(store), timeout_s_(timeout_s) {}

WebhookSender::~WebhookSender() {
    stop();
}

void WebhookSender::start() {
    const std::lock_guard lock(mutex_);
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void WebhookSender::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void WebhookSender::wake() {
    {
        const std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void WebhookSender::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::seconds(2), [this] { return stopping_ || woken_; });
        if (stopping_) break;
        woken_ = false;
        lock.unlock();
        const std::vector<Delivery> due =
            store_.with([](Database& db) { return WebhookQueue(db).due(unix_now_s(), 20); });
        for (const Delivery& delivery : due) {
            std::string why;
            const bool ok = post(delivery, timeout_s_, why);
            const Status noted = store_.with([&](Database& db) {
                WebhookQueue queue(db);
                return ok ? queue.delivered(delivery.id, unix_now_s())
                          : queue.failed(delivery.id, why, unix_now_s());
            });
            // Not noted, the delivery is made again later: a receiver may see it twice.
            if (!noted)
                log_message(LogLevel::warning, "strata serve: webhook delivery %lld: %s\n",
                            static_cast<long long>(delivery.id), noted.error().message.c_str());
        }
        lock.lock();
        if (due.size() == 20) woken_ = true;  // More may be waiting.
    }
}

}  // namespace strata::server
