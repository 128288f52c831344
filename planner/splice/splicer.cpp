// Pass two of prep (see splicer.hpp).
#include "splicer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "../snapshots/block_steps.hpp"
#include "block_writer.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/parser/lexer.hpp"
#include "strata/parser/simulator.hpp"

namespace strata::planner::splice {
namespace {

constexpr std::size_t flush_bytes = 1u << 20;
constexpr std::uint64_t writeback_bytes = 8u << 20;

// A failed system call, read from errno before anything else can change it.
Error system_error(std::string what) {
    return errno_error(std::move(what), errno);
}

Error changed_while_prepared() {
    return fail(ErrorCode::conflict,
                "the original ended early: it changed while it was being prepared");
}

// A temporary file in the target's directory (so the final rename cannot cross filesystems),
// written in large blocks.
class TemporaryFile {
  public:
    TemporaryFile() = default;
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    ~TemporaryFile() {
        if (fd_ >= 0) ::close(fd_);
    }

    /// `durable`: flushed to the disk before `close` returns; otherwise the caller syncs later.
    Status create(const std::string& target, bool durable) {
        durable_ = durable;
        std::string pattern = target + ".strata-XXXXXX";
        fd_ = ::mkstemp(pattern.data());
        if (fd_ < 0) return system_error("cannot create a temporary file beside " + target);
        path_ = pattern;
        // mkstemp makes it private; a G-code file is an ordinary document.
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(fd_, 0666 & ~mask);
        buffer_.reserve(flush_bytes + (64u << 10));
        return {};
    }

    std::string& buffer() { return buffer_; }

    Status flush() {
        std::size_t done = 0;
        while (done < buffer_.size()) {
            const ssize_t written = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
            if (written < 0) {
                if (errno == EINTR) continue;
                return system_error("cannot write " + path_);
            }
            done += static_cast<std::size_t>(written);
        }
        bytes_ += buffer_.size();
        buffer_.clear();
        return {};
    }

    /// Appends `length` bytes of `source` from `offset`, after what is buffered. The kernel
    /// copies page cache to page cache where it can; plain reads and writes otherwise.
    Status copy_from(int source, std::uint64_t offset, std::uint64_t length) {
        if (Status flushed = flush(); !flushed) return flushed;
        auto from = static_cast<off_t>(offset);
        while (length > 0 && kernel_copy_) {
            const ssize_t copied = ::copy_file_range(source, &from, fd_, nullptr, length, 0);
            if (copied > 0) {
                length -= static_cast<std::uint64_t>(copied);
                bytes_ += static_cast<std::uint64_t>(copied);
            } else if (copied == 0) {
                return changed_while_prepared();
            } else if (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                       errno == EOPNOTSUPP) {
                kernel_copy_ = false;
            } else if (errno != EINTR) {
                return system_error("cannot copy into " + path_);
            }
        }
        if (length > 0) {
            if (Status copied = copy_by_reading(source, from, length); !copied) return copied;
        }
        start_writeback();
        return {};
    }

    Status close() {
        if (Status flushed = flush(); !flushed) return flushed;
        if ((durable_ && ::fsync(fd_) != 0) || ::close(fd_) != 0) {
            Error failed = system_error("cannot finish " + path_);
            fd_ = -1;
            return failed;
        }
        fd_ = -1;
        return {};
    }

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

  private:
    // Starts writing what is copied to the disk while the copy goes on, so the final fsync
    // waits for the last few megabytes only. Advisory: where it fails, fsync does it all.
    void start_writeback() {
        if (!durable_ || bytes_ - writeback_from_ < writeback_bytes) return;
        ::sync_file_range(fd_, static_cast<off_t>(writeback_from_),
                          static_cast<off_t>(bytes_ - writeback_from_), SYNC_FILE_RANGE_WRITE);
        writeback_from_ = bytes_;
    }

    Status copy_by_reading(int source, off_t from, std::uint64_t length) {
        while (length > 0) {
            buffer_.resize(std::min<std::uint64_t>(length, flush_bytes));
            const ssize_t got = ::pread(source, buffer_.data(), buffer_.size(), from);
            if (got <= 0) {
                if (got < 0 && errno == EINTR) continue;
                Error failed =
                    got == 0 ? changed_while_prepared() : system_error("cannot read the original");
                buffer_.clear();
                return failed;
            }
            buffer_.resize(static_cast<std::size_t>(got));
            from += got;
            length -= static_cast<std::uint64_t>(got);
            if (Status flushed = flush(); !flushed) return flushed;
        }
        return {};
    }

    int fd_ = -1;
    std::string path_;
    std::string buffer_;
    std::uint64_t bytes_ = 0;
    bool kernel_copy_ = true;
    bool durable_ = true;
    std::uint64_t writeback_from_ = 0;
};

// Checks one block the way the verifier would, from the machine state the analysis had at the
// block's line: the lines around it are copied byte for byte, so that state is exactly what the
// job's own simulation would reach there (every earlier block having been shown to restore it).
class BlockSimulation {
  public:
    BlockSimulation(const parser::MachineConfig& machine, const VerifyOptions& verify)
        : simulator_(machine), checker_(verify) {}

    void check(const PlannedSnapshot& snapshot, std::string_view block_text,
               std::uint64_t first_line) {
        simulator_.resume(snapshot.entry.machine, snapshot.entry.workspace_offset_mm);
        checker_.set_highest_printed_z(snapshot.entry.highest_printed_z_mm);
        std::uint64_t number = first_line;
        while (!block_text.empty()) {
            const std::size_t end = block_text.find('\n');
            const parser::GcodeLine line = parser::lex_line(block_text.substr(0, end));
            const bool simulated = parser::is_simulated(line);
            if (simulated) simulator_.step(line, number, diagnostics_);
            checker_.on_line(line, number, simulated, simulator_.state(),
                             simulator_.previous_position_mm());
            block_text.remove_prefix(end + 1);
            ++number;
        }
    }
    BlockChecker& checker() { return checker_; }

  private:
    parser::Simulator simulator_;
    parser::Diagnostics diagnostics_;
    BlockChecker checker_;
};

// The original, opened for pass two: its size must be what pass one read, since the blocks'
// byte offsets come from there.
class Original {
  public:
    Original() = default;
    Original(const Original&) = delete;
    Original& operator=(const Original&) = delete;
    ~Original() {
        if (fd_ >= 0) ::close(fd_);
    }

    Status open(const SpliceInputs& inputs) {
        fd_ = ::open(inputs.input_path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat status {};
        if (fd_ < 0 || ::fstat(fd_, &status) != 0)
            return system_error("cannot read " + inputs.input_path);
        if (static_cast<std::uint64_t>(status.st_size) != inputs.source_bytes)
            return fail(ErrorCode::conflict,
                        inputs.input_path + " changed while it was being prepared (" +
                            std::to_string(inputs.source_bytes) + " bytes when analysed, " +
                            std::to_string(status.st_size) + " now)");
        char last = '\n';
        if (inputs.source_bytes > 0 &&
            ::pread(fd_, &last, 1, static_cast<off_t>(inputs.source_bytes - 1)) != 1)
            return system_error("cannot read " + inputs.input_path);
        ends_with_newline_ = last == '\n';
        release_cache_ = inputs.release_original_cache;
        page_bytes_ = static_cast<std::uint64_t>(std::max(::sysconf(_SC_PAGESIZE), 1L));
        return {};
    }

    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] bool ends_with_newline() const { return ends_with_newline_; }

    /// Drops the cached pages of what was copied, up to `copied_bytes`, when asked to. Advisory:
    /// the kernel keeps dirty pages (and a page only partly copied stays until the next call).
    void release_cache(std::uint64_t copied_bytes) {
        if (!release_cache_ || copied_bytes - released_bytes_ < release_every_bytes) return;
        ::posix_fadvise(fd_, static_cast<off_t>(released_bytes_),
                        static_cast<off_t>(copied_bytes - released_bytes_), POSIX_FADV_DONTNEED);
        released_bytes_ = copied_bytes - copied_bytes % page_bytes_;
    }
    void release_all_cache() {
        if (release_cache_) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
    }

  private:
    static constexpr std::uint64_t release_every_bytes = 4u << 20;
    int fd_ = -1;
    bool ends_with_newline_ = true;
    bool release_cache_ = false;
    std::uint64_t page_bytes_ = 4096;
    std::uint64_t released_bytes_ = 0;
};

}  // namespace

SpliceResult splice_file(const SpliceInputs& inputs, const SnapshotPlan& plan) {
    SpliceResult result;
    Original original;
    result.status = original.open(inputs);
    if (!result.status) return result;
    TemporaryFile output;
    result.status = output.create(inputs.output_path, inputs.durable);
    if (!result.status) return result;
    result.temporary_path = output.path();
    BlockSimulation blocks(inputs.machine, inputs.verify);
    std::string& out = output.buffer();
    std::uint64_t copied_bytes = 0;
    std::uint64_t block_lines = 0;
    for (const PlannedSnapshot& snapshot : plan.snapshots) {
        result.status =
            output.copy_from(original.fd(), copied_bytes, snapshot.after_byte - copied_bytes);
        if (!result.status) return result;
        copied_bytes = snapshot.after_byte;
        original.release_cache(copied_bytes);
        if (copied_bytes == inputs.source_bytes && !original.ends_with_newline()) out += '\n';
        const std::uint64_t begin_line = snapshot.after_line + block_lines + 1;
        const auto steps =
            snapshots::block_steps(snapshot.entry, snapshot.park_mm, snapshot.stop, plan.motion);
        const std::size_t block_start = out.size();
        const WrittenBlock block = append_block(out, snapshot, steps, plan.motion);
        result.block_lines.push_back(begin_line);
        result.capture_lines.push_back(begin_line + block.capture_offset);
        blocks.check(snapshot, std::string_view(out.data() + block_start, out.size() - block_start),
                     begin_line);
        block_lines += block.lines;
    }
    result.status =
        output.copy_from(original.fd(), copied_bytes, inputs.source_bytes - copied_bytes);
    if (!result.status) return result;
    original.release_all_cache();
    result.lines = inputs.source_lines + block_lines;
    blocks.checker().finish(result.lines);
    result.status = output.close();
    if (!result.status) return result;
    result.bytes = output.bytes();
    result.problem = blocks.checker().problem();
    result.blocks_checked = blocks.checker().blocks();
    return result;
}

Status install(const std::string& temporary, const std::string& target) {
    if (std::rename(temporary.c_str(), target.c_str()) != 0)
        return system_error("cannot replace " + target);
    return {};
}

Status write_atomically(const std::string& path, const std::string& text, bool durable) {
    TemporaryFile file;
    if (Status created = file.create(path, durable); !created) return created;
    file.buffer() = text;
    Status written = file.close();
    if (written) written = install(file.path(), path);
    if (!written) std::remove(file.path().c_str());
    return written;
}

}  // namespace strata::planner::splice
