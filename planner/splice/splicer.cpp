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

#include "../snapshots/snapshot_cost.hpp"
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

// The annotated side of the verification, fed with every line as it is written.
class WrittenSimulation {
  public:
    WrittenSimulation(const parser::MachineConfig& machine, const VerifyOptions& verify)
        : simulator_(machine), checker_(verify) {}

    /// Simulates one written line; returns the move outside the blocks it made, if any.
    std::optional<MoveRecord> on_line(std::string_view text, std::uint64_t number) {
        const parser::GcodeLine line = parser::lex_line(text);
        const bool simulated = parser::is_simulated(line);
        if (simulated) simulator_.step(line, number, diagnostics_);
        auto move = checker_.on_line(line, number, simulated, simulator_.state(),
                                     simulator_.previous_position_mm());
        if (move) digest_.add(*move);
        return move;
    }
    [[nodiscard]] const parser::MachineState& state() const { return simulator_.state(); }
    BlockChecker& checker() { return checker_; }
    [[nodiscard]] const MoveDigest& digest() const { return digest_; }

  private:
    parser::Simulator simulator_;
    parser::Diagnostics diagnostics_;
    BlockChecker checker_;
    MoveDigest digest_;
};

}  // namespace

SpliceResult splice_file(const SpliceInputs& inputs, SnapshotPlan& plan) {
    SpliceResult result;
    parser::LineReader reader;
    if (!reader.open(inputs.input_path)) {
        result.error = reader.error();
        return result;
    }
    TemporaryFile output;
    if (!output.create(inputs.output_path, result.error)) return result;
    result.temporary_path = output.path();
    WrittenSimulation simulation(inputs.machine, inputs.verify);
    const snapshots::SnapshotCost cost(inputs.limits, inputs.estimator);
    std::size_t next = 0;
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t awaiting_move = none;  // A snapshot whose following move is not seen yet.
    std::vector<snapshots::BlockStep> awaiting_steps;
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
        const auto move = simulation.on_line(text, line_number);
        if (awaiting_move != none && move && move->kind != parser::MoveKind::none) {
            PlannedSnapshot& snapshot = plan.snapshots[awaiting_move];
            const parser::MachineState& state = simulation.state();
            snapshots::FollowingMove following;
            for (std::size_t axis = 0; axis < 3; ++axis)
                following.delta_mm[axis] = move->end_mm[axis] - move->start_mm[axis];
            following.delta_mm[3] = move->e_delta_mm;
            following.feedrate_mm_s = state.feedrate_mm_s * state.speed_factor_ratio;
            snapshot.time_added_s = cost.added_s(snapshot.entry, awaiting_steps, following);
            awaiting_move = none;
        }
        while (next < plan.snapshots.size() &&
               plan.snapshots[next].after_line == reader.line_number()) {
            PlannedSnapshot& snapshot = plan.snapshots[next];
            awaiting_steps = snapshots::block_steps(snapshot.entry, snapshot.park_mm, snapshot.stop,
                                                    plan.motion);
            const std::size_t block_start = out.size();
            const WrittenBlock block = append_block(out, snapshot, awaiting_steps, plan.motion);
            result.block_lines.push_back(line_number + 1);
            result.capture_lines.push_back(line_number + 1 + block.capture_offset);
            std::string_view block_text(out.data() + block_start, out.size() - block_start);
            while (!block_text.empty()) {
                const std::size_t end = block_text.find('\n');
                simulation.on_line(block_text.substr(0, end), ++line_number);
                block_text.remove_prefix(end + 1);
            }
            awaiting_move = next;
            ++next;
        }
        if (!output.flush_if_full(result.error)) return result;
    }
    if (!reader.error().empty()) {
        result.error = reader.error();
        return result;
    }
    simulation.checker().finish(line_number);
    if (!output.close(result.error)) return result;
    result.bytes = output.bytes();
    result.lines = line_number;
    result.digest = simulation.digest();
    result.problem = simulation.checker().problem();
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
