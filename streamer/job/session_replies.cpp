// What the streamer does with the printer's replies: the handshake (M110 until an ok, then M115
// for the firmware's name and capabilities, then autoreport), temperatures, firmware errors and
// halts (the job stops with the reason), a reset mid-print (`start`: the job fails, the
// handshake starts over), `//action:` commands, and the protocol's own failures.
#include "session.hpp"

#include <algorithm>
#include <limits>

namespace strata::streamer {

void Streamer::Session::handshake_tick(double now) {
    if (now < handshake_deadline_s_) return;
    if (handshake_attempt_ >= config_.handshake_attempts) {
        const std::lock_guard lock(connected_mutex_);
        connect_result_ = "no answer to M110 from " + link_->describe() + " after " +
                          std::to_string(handshake_attempt_) + " attempts";
        connected_.notify_all();
        stopping_ = true;
        return;
    }
    ++handshake_attempt_;
    protocol_.reset(now);
    handshake_deadline_s_ = now + config_.handshake_timeout_s;
}

void Streamer::Session::on_acknowledged(std::uint64_t line_tag) {
    if (line_tag == Protocol::probe_tag && !handshake_done_) {
        // M110 answered: ask who the firmware is. The handshake ends with that answer.
        protocol_.enqueue("M115", tag::firmware_info);
        firmware_info_retried_ = false;
        handshake_deadline_s_ = std::numeric_limits<double>::infinity();
        return;
    }
    if (line_tag == tag::firmware_info && !handshake_done_ && firmware_name_.empty() &&
        !firmware_info_retried_) {
        // Without ADVANCED_OK an ok names no line: after a greeting that timed out, the late ok
        // of its M110 acknowledges M115 before M115's report arrives. Ask once more; a firmware
        // that never names itself is accepted on the second answer.
        firmware_info_retried_ = true;
        protocol_.enqueue("M115", tag::firmware_info);
        return;
    }
    if (line_tag == tag::firmware_info && !handshake_done_) {
        handshake_done_ = true;
        if (autoreport_)
            protocol_.enqueue("M155 S" + std::to_string(static_cast<int>(
                                             std::max(1.0, config_.autoreport_interval_s))),
                              tag::poll);
        set_state(PrinterState::operational);
        emit(make_event(EventKind::connected, firmware_name_ + " on " + link_->describe()));
        const std::lock_guard lock(connected_mutex_);
        connect_result_ = std::string();
        connected_.notify_all();
        return;
    }
    if (line_tag < tag::internal && job_active_) acknowledged_line_ = line_tag;
}

void Streamer::Session::on_reply(const Reply& reply) {
    switch (reply.kind) {
        case ReplyKind::firmware: firmware_name_ = std::string(reply.name); break;
        case ReplyKind::capability:
            if (reply.name == "AUTOREPORT_TEMP") autoreport_ = reply.value == "1";
            break;
        case ReplyKind::start:
            if (handshake_done_) {
                on_firmware_reset();
            } else {
                // The board booted (opening the port resets many): greet it again now.
                protocol_.reset(now_cache_s_);
                handshake_deadline_s_ = now_cache_s_ + config_.handshake_timeout_s;
            }
            break;
        case ReplyKind::error:
            if (reply.fatal) {
                const std::string reason = "printer error: " + std::string(reply.value);
                if (job_active_) end_job(EventKind::job_failed, reason);
                set_state(PrinterState::error);
                emit(make_event(EventKind::error, reason));
            }
            break;
        case ReplyKind::action: on_action(reply); break;
        case ReplyKind::position:
            if (reply.position_mm) {
                StreamerEvent event = make_event(EventKind::position);
                event.position_mm = *reply.position_mm;
                emit(std::move(event));
            }
            break;
        default: break;
    }
    if (reply.heater_count > 0) {
        StreamerEvent event = make_event(EventKind::temperatures);
        event.heaters = reply.heaters;
        event.heater_count = reply.heater_count;
        emit(std::move(event));
    }
}

void Streamer::Session::on_firmware_reset() {
    // The board restarted: position, temperatures and line numbers are gone.
    if (job_active_)
        end_job(EventKind::job_failed,
                "the printer reset during the print (it sent `start`): its position and "
                "temperatures are lost");
    emit(make_event(EventKind::error, "the printer reset; connecting again"));
    handshake_done_ = false;
    handshake_attempt_ = 1;
    out_.clear();
    protocol_.reset(now_cache_s_);
    handshake_deadline_s_ = now_cache_s_ + config_.handshake_timeout_s;
    set_state(PrinterState::connecting);
}

void Streamer::Session::on_action(const Reply& reply) {
    emit(make_event(EventKind::message, "action: " + std::string(reply.text.substr(9))));
    if (reply.name == "pause") {
        post({Control::Kind::pause, {}, {}});
    } else if (reply.name == "resume") {
        post({Control::Kind::resume, {}, {}});
    } else if (reply.name == "cancel") {
        post({Control::Kind::cancel, {}, {}});
    } else if (reply.name == "disconnect") {
        post({Control::Kind::disconnect, {}, {}});
    }
}

void Streamer::Session::on_failure(const std::string& reason) {
    if (!handshake_done_) return;  // The handshake retries on its own timer.
    if (job_active_) end_job(EventKind::job_failed, reason);
    set_state(PrinterState::error);
    emit(make_event(EventKind::error, reason));
}

}  // namespace strata::streamer
