// Streams a file line by line in bounded memory: reads large blocks, splits them with memchr
// and hands out views. A line longer than `max_line_bytes` is cut there (the rest is skipped and
// reported), so memory stays bounded whatever the file holds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/common/result.hpp"

namespace strata::parser {

class LineReader {
  public:
    static constexpr std::size_t block_bytes = 1u << 20;
    static constexpr std::size_t max_line_bytes = 16u << 20;

    LineReader() = default;
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;
    ~LineReader();

    /// Opens `path` (the error names it and says why when it cannot be read).
    [[nodiscard]] Status open(const std::string& path);
    /// The next line without its `\n`; false at the end of the file or on a read error. May
    /// read on, which moves the buffer: earlier views are then no longer valid.
    bool next(std::string_view& line);
    /// The next line if the buffer already holds all of it; false, having read nothing, when it
    /// does not (call `next`). Never moves the buffer, so every view handed out since the last
    /// `next` stays valid.
    bool next_buffered(std::string_view& line);

    [[nodiscard]] std::uint64_t line_number() const {
        return line_number_;
    }  ///< 1-based, of the last line.
    [[nodiscard]] std::uint64_t bytes_read() const { return consumed_bytes_; }
    [[nodiscard]] std::uint64_t file_bytes() const { return file_bytes_; }
    [[nodiscard]] bool last_line_cut() const { return last_line_cut_; }
    [[nodiscard]] bool ended_without_newline() const { return ended_without_newline_; }
    /// Fails once a read has failed (then `next` returns false as at the end of the file).
    [[nodiscard]] const Status& status() const { return status_; }
    /// Reads up to `bytes` at `offset` without disturbing the stream (for head/tail scans).
    [[nodiscard]] std::string read_at(std::uint64_t offset, std::size_t bytes) const;

  private:
    bool refill();

    int fd_ = -1;
    std::vector<char> buffer_;
    std::size_t begin_ = 0;  ///< Start of unconsumed data in buffer_.
    std::size_t end_ = 0;    ///< End of valid data in buffer_.
    bool eof_ = false;
    bool skipping_rest_of_line_ = false;
    bool last_line_cut_ = false;
    bool ended_without_newline_ = false;
    std::uint64_t line_number_ = 0;
    std::uint64_t consumed_bytes_ = 0;
    std::uint64_t file_bytes_ = 0;
    Status status_;
};

}  // namespace strata::parser
