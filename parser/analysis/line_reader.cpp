// LineReader: block reads with a carried-over partial line, POSIX read(2) rather than mmap so
// the resident set stays at the buffer size however large the file is.
#include "strata/parser/line_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata::parser {

LineReader::~LineReader() {
    if (fd_ >= 0) ::close(fd_);
}

Status LineReader::open(const std::string& path) {
    // A reader is reused (the streamer's, job after job): nothing of the last file may remain.
    if (fd_ >= 0) ::close(fd_);
    begin_ = end_ = 0;
    eof_ = skipping_rest_of_line_ = last_line_cut_ = ended_without_newline_ = false;
    line_number_ = consumed_bytes_ = file_bytes_ = 0;
    status_ = Status();
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return status_ = errno_error(path, errno);
    struct stat info {};
    if (::fstat(fd_, &info) != 0) return status_ = errno_error(path, errno);
    // Not G-code that is wrong but no file to read: what exit code 2 and a 500 mean.
    if (S_ISDIR(info.st_mode)) return status_ = fail(ErrorCode::io, path + ": not a regular file");
    file_bytes_ = static_cast<std::uint64_t>(info.st_size);
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    buffer_.resize(block_bytes);
    return status_;
}

std::string LineReader::read_at(std::uint64_t offset, std::size_t bytes) const {
    std::string data(bytes, '\0');
    const ssize_t got = ::pread(fd_, data.data(), bytes, static_cast<off_t>(offset));
    data.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return data;
}

bool LineReader::refill() {
    if (eof_) return false;
    // Move the partial line to the front, and grow only when one line fills the whole buffer.
    if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    ssize_t got = 0;
    do {
        got = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        status_ = errno_error("read failed", errno);
        eof_ = true;
        return false;
    }
    if (got == 0) {
        eof_ = true;
        return false;
    }
    end_ += static_cast<std::size_t>(got);
    return true;
}

bool LineReader::next_buffered(std::string_view& line) {
    for (;;) {
        const char* start = buffer_.data() + begin_;
        const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
        if (newline == nullptr) return false;
        const auto length = static_cast<std::size_t>(newline - start);
        begin_ += length + 1;
        consumed_bytes_ += length + 1;
        if (skipping_rest_of_line_) {
            skipping_rest_of_line_ = false;
            continue;  // The tail of a line already handed out in cut form.
        }
        line = {start, length};
        ++line_number_;
        last_line_cut_ = false;
        return true;
    }
}

bool LineReader::next(std::string_view& line) {
    for (;;) {
        if (next_buffered(line)) return true;
        const char* start = buffer_.data() + begin_;
        if (end_ - begin_ >= max_line_bytes && !skipping_rest_of_line_) {
            // Hand out the first max_line_bytes; drop the rest of this line as it streams past.
            line = {start, max_line_bytes};
            consumed_bytes_ += end_ - begin_;
            begin_ = end_;
            skipping_rest_of_line_ = true;
            ++line_number_;
            last_line_cut_ = true;
            return true;
        }
        if (skipping_rest_of_line_) {
            consumed_bytes_ += end_ - begin_;
            begin_ = end_;
        }
        if (!refill()) {
            if (end_ > begin_ && !skipping_rest_of_line_) {
                line = {buffer_.data() + begin_, end_ - begin_};
                consumed_bytes_ += end_ - begin_;
                begin_ = end_;
                ++line_number_;
                ended_without_newline_ = true;
                last_line_cut_ = false;
                return true;
            }
            return false;
        }
    }
}

}  // namespace strata::parser
