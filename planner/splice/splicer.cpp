// Pass two of prep (see splicer.hpp).
#include "splicer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "../snapshots/block_steps.hpp"
#include "block_writer.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/parser/lexer.hpp"
#include "strata/parser/line_reader.hpp"
#include "strata/parser/simulator.hpp"

namespace strata::planner::splice {
namespace {

constexpr std::size_t flush_bytes = 1u << 20;

std::string system_error(const std::string& what) {
    return what + ": " + std::strerror(errno);
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

    bool create(const std::string& target, std::string& error) {
        std::string pattern = target + ".strata-XXXXXX";
        fd_ = ::mkstemp(pattern.data());
        if (fd_ < 0) {
            error = system_error("cannot create a temporary file beside " + target);
            return false;
        }
        path_ = pattern;
        // mkstemp makes it private; a G-code file is an ordinary document.
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(fd_, 0666 & ~mask);
        buffer_.reserve(flush_bytes + (64u << 10));
        return true;
    }

    std::string& buffer() { return buffer_; }

    bool flush_if_full(std::string& error) { return buffer_.size() < flush_bytes || flush(error); }

    bool flush(std::string& error) {
        std::size_t done = 0;
        while (done < buffer_.size()) {
            const ssize_t written = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
            if (written < 0) {
                if (errno == EINTR) continue;
                error = system_error("cannot write " + path_);
                return false;
            }
            done += static_cast<std::size_t>(written);
        }
        bytes_ += buffer_.size();
        buffer_.clear();
        return true;
    }

    bool close(std::string& error) {
        if (!flush(error)) return false;
        if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
            fd_ = -1;
            error = system_error("cannot finish " + path_);
            return false;
        }
        fd_ = -1;
        return true;
    }

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

  private:
    int fd_ = -1;
    std::string path_;
    std::string buffer_;
    std::uint64_t bytes_ = 0;
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

}  // namespace

SpliceResult splice_file(const SpliceInputs& inputs, const SnapshotPlan& plan) {
    SpliceResult result;
    parser::LineReader reader;
    if (!reader.open(inputs.input_path)) {
        result.error = reader.error();
        return result;
    }
    TemporaryFile output;
    if (!output.create(inputs.output_path, result.error)) return result;
    result.temporary_path = output.path();
    BlockSimulation blocks(inputs.machine, inputs.verify);
    std::size_t next = 0;
    std::string& out = output.buffer();
    std::string_view text;
    std::uint64_t line_number = 0;
    while (reader.next(text)) {
        if (reader.last_line_cut()) {
            result.error = "line " + std::to_string(reader.line_number()) +
                           " is longer than 16 MiB and cannot be copied exactly";
            return result;
        }
        out.append(text);
        out += '\n';
        ++line_number;
        if (next < plan.snapshots.size() &&
            plan.snapshots[next].after_line == reader.line_number()) {
            const PlannedSnapshot& snapshot = plan.snapshots[next];
            const auto steps = snapshots::block_steps(snapshot.entry, snapshot.park_mm,
                                                      snapshot.stop, plan.motion);
            const std::size_t block_start = out.size();
            const WrittenBlock block = append_block(out, snapshot, steps, plan.motion);
            result.block_lines.push_back(line_number + 1);
            result.capture_lines.push_back(line_number + 1 + block.capture_offset);
            blocks.check(snapshot,
                         std::string_view(out.data() + block_start, out.size() - block_start),
                         line_number + 1);
            line_number += block.lines;
            ++next;
        }
        if (!output.flush_if_full(result.error)) return result;
    }
    if (!reader.error().empty()) {
        result.error = reader.error();
        return result;
    }
    blocks.checker().finish(line_number);
    if (!output.close(result.error)) return result;
    result.bytes = output.bytes();
    result.lines = line_number;
    result.problem = blocks.checker().problem();
    result.blocks_checked = blocks.checker().blocks();
    return result;
}

bool install(const std::string& temporary, const std::string& target, std::string& error) {
    if (std::rename(temporary.c_str(), target.c_str()) != 0) {
        error = system_error("cannot replace " + target);
        return false;
    }
    return true;
}

bool write_atomically(const std::string& path, const std::string& text, std::string& error) {
    TemporaryFile file;
    if (!file.create(path, error)) return false;
    file.buffer() = text;
    if (!file.close(error) || !install(file.path(), path, error)) {
        std::remove(file.path().c_str());
        return false;
    }
    return true;
}

}  // namespace strata::planner::splice
