// The one error type at strata's module boundaries: a function that can fail returns
// `Result<T>` (a value or an `Error`) or `Status` (nothing or an `Error`), both [[nodiscard]], so
// an error cannot be dropped by accident. An `Error` has a code a caller can act on (a full disk
// is answered differently from a bad request) and a message for people that names the line,
// field or path at fault. Errors are values, as in libbgcode: no exceptions cross a boundary.
#pragma once

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace strata {

enum class ErrorCode : std::uint8_t {
    invalid,      ///< The input is wrong: a field, a line, a value out of range.
    not_found,    ///< What was named does not exist.
    conflict,     ///< It exists already, or is in use.
    busy,         ///< Not now: the printer prints, a job is being prepared.
    unsupported,  ///< Valid, but not something this can be done to (no move to plan around).
    no_space,     ///< The disk (or a quota) is full.
    permission,   ///< The system refused access (EACCES, EPERM, EROFS).
    io,           ///< Any other failure to read or write.
    unavailable,  ///< A device or service that should answer does not.
    cancelled,    ///< Stopped because the caller asked (a render at shutdown).
    internal,     ///< A bug: something that cannot happen did.
};

[[nodiscard]] constexpr const char* to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid: return "invalid";
        case ErrorCode::not_found: return "not found";
        case ErrorCode::conflict: return "conflict";
        case ErrorCode::busy: return "busy";
        case ErrorCode::unsupported: return "unsupported";
        case ErrorCode::no_space: return "no space";
        case ErrorCode::permission: return "permission";
        case ErrorCode::io: return "io";
        case ErrorCode::unavailable: return "unavailable";
        case ErrorCode::cancelled: return "cancelled";
        case ErrorCode::internal: return "internal";
    }
    return "unknown";
}

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;
};

/// The code for a failed system call's `errno`.
[[nodiscard]] constexpr ErrorCode error_code_of_errno(int number) {
    switch (number) {
        case ENOSPC:
        case EDQUOT:
        case EFBIG: return ErrorCode::no_space;
        case EACCES:
        case EPERM:
        case EROFS: return ErrorCode::permission;
        case ENOENT:
        case ENOTDIR: return ErrorCode::not_found;
        case EEXIST: return ErrorCode::conflict;
        default: return ErrorCode::io;
    }
}

/// An error for a failed system call: `what` and the system's words for `number`.
[[nodiscard]] Error errno_error(std::string what, int number);

template <class T>
class [[nodiscard]] Result {
  public:
    /// From anything a T can be made of (a derived class's unique_ptr for a base's), as
    /// std::optional converts.
    template <class U = T, std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                !std::is_same_v<std::decay_t<U>, Error> &&
                                                !std::is_same_v<std::decay_t<U>, Result>,
                                            int> = 0>
    Result(U&& value) : value_(std::forward<U>(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Error error) : error_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return value_.has_value(); }
    explicit operator bool() const { return ok(); }
    /// The value; only when ok().
    [[nodiscard]] T& value() & { return *value_; }
    [[nodiscard]] const T& value() const& { return *value_; }
    [[nodiscard]] T&& value() && { return std::move(*value_); }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    T& operator*() & { return *value_; }
    const T& operator*() const& { return *value_; }
    /// The error; only when !ok().
    [[nodiscard]] const Error& error() const { return error_; }
    [[nodiscard]] Error&& take_error() { return std::move(error_); }

  private:
    std::optional<T> value_;
    Error error_;
};

template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : failed_(true), error_(std::move(error)) {}  // NOLINT

    [[nodiscard]] bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] const Error& error() const { return error_; }
    [[nodiscard]] Error&& take_error() { return std::move(error_); }

  private:
    bool failed_ = false;
    Error error_;
};

using Status = Result<void>;

/// An error with `code` and `message`, for `return fail(...)` in a function returning a Result.
[[nodiscard]] inline Error fail(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

}  // namespace strata
