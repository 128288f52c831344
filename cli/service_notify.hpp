// The systemd notification protocol (sd_notify(3)) without libsystemd: a service of
// `Type=notify` says `READY=1` once it serves, and `STOPPING=1` when it begins to stop, as one
// datagram to the socket named by $NOTIFY_SOCKET. Outside systemd the variable is unset and
// nothing is sent.
#pragma once

#include <string_view>

#include "strata/common/result.hpp"

namespace strata::cli {

/// Sends `state` (`READY=1`, `STATUS=...`, newline-separated assignments) to the service
/// manager; succeeds without sending when there is none.
[[nodiscard]] Status notify_service_manager(std::string_view state);

/// Whether a service manager runs this process and so may start it again when it exits:
/// systemd names each run of a unit in $INVOCATION_ID.
[[nodiscard]] bool run_by_service_manager();

}  // namespace strata::cli
