// load_frames and FrameWriter: the frame directory's JPEGs and its `frames.tsv`, one row a frame,
// appended only after the JPEG itself is in place under its final name.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>

#include "read_whole.hpp"
#include "strata/timelapse/frames.hpp"

namespace strata::timelapse {
namespace {

using frames::read_whole;

constexpr std::string_view header =
    "# file\tsnapshot\tlayer\tz_mm\telapsed_s\tprogress_percent\tcaptured_unix_s\n";
constexpr std::size_t fields_per_row = 7;

bool is_jpeg_name(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".jpg" || extension == ".jpeg";
}

std::vector<std::string_view> split_tabs(std::string_view row) {
    std::vector<std::string_view> fields;
    for (;;) {
        const std::size_t tab = row.find('\t');
        fields.push_back(row.substr(0, tab));
        if (tab == std::string_view::npos) return fields;
        row.remove_prefix(tab + 1);
    }
}

template <typename Number>
bool parse_field(std::string_view text, Number& value) {
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), value);
    return code == std::errc() && end == text.data() + text.size();
}

// One row of frames.tsv; false when a field does not parse (the caller names the row).
bool parse_row(std::string_view row, const std::filesystem::path& directory, Frame& frame) {
    const std::vector<std::string_view> fields = split_tabs(row);
    if (fields.size() != fields_per_row || fields[0].empty() ||
        fields[0].find('/') != std::string_view::npos)
        return false;
    frame.path = directory / std::string(fields[0]);
    FrameInfo& info = frame.info;
    return parse_field(fields[1], info.snapshot) && parse_field(fields[2], info.layer) &&
           parse_field(fields[3], info.z_mm) && parse_field(fields[4], info.elapsed_s) &&
           parse_field(fields[5], info.progress_percent) &&
           parse_field(fields[6], info.captured_unix_s);
}

Result<std::vector<Frame>> load_index(const std::filesystem::path& directory,
                                      const std::string& text) {
    std::vector<Frame> frames;
    std::size_t line_number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        ++line_number;
        const std::size_t end = text.find('\n', start);
        // A row without its newline was being appended when the process died: not a frame yet.
        if (end == std::string::npos) break;
        const std::string_view row(text.data() + start, end - start);
        start = end + 1;
        if (row.empty() || row.front() == '#') continue;
        Frame frame;
        const std::string where =
            (directory / frame_index_name).string() + ":" + std::to_string(line_number) + ": ";
        if (!parse_row(row, directory, frame))
            return fail(ErrorCode::invalid,
                        where +
                            "not a frame row (7 tab-separated fields: file snapshot layer "
                            "z_mm elapsed_s progress_percent captured_unix_s)");
        std::error_code missing;
        if (!std::filesystem::is_regular_file(frame.path, missing))
            return fail(ErrorCode::not_found,
                        where + frame.path.filename().string() + " does not exist");
        frames.push_back(std::move(frame));
    }
    return frames;
}

}  // namespace

Result<std::vector<Frame>> load_frames(const std::filesystem::path& directory) {
    std::error_code code;
    if (!std::filesystem::is_directory(directory, code))
        return fail(ErrorCode::not_found, directory.string() + ": not a directory");
    const std::filesystem::path index = directory / frame_index_name;
    if (std::filesystem::exists(index, code)) {
        std::string text;
        if (!read_whole(index, text))
            return fail(ErrorCode::io, index.string() + ": cannot be read");
        return load_index(directory, text);
    }
    std::vector<Frame> frames;
    for (const auto& entry : std::filesystem::directory_iterator(directory, code))
        if (entry.is_regular_file() && is_jpeg_name(entry.path()))
            frames.push_back(Frame{entry.path(), {}});
    std::sort(frames.begin(), frames.end(),
              [](const Frame& a, const Frame& b) { return a.path < b.path; });
    return frames;
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
    const std::filesystem::path partial = path.string() + ".partial";
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno_error("cannot write " + partial.string(), errno);
    std::size_t written = 0;
    int failure = 0;
    while (written < bytes.size() && failure == 0) {
        const ssize_t got = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (got < 0 && errno != EINTR) failure = errno;
        if (got > 0) written += static_cast<std::size_t>(got);
    }
    if (::close(fd) != 0 && failure == 0) failure = errno;
    if (failure != 0) {
        std::error_code left_behind;
        std::filesystem::remove(partial, left_behind);
        return errno_error("cannot write " + partial.string(), failure);
    }
    std::error_code code;
    std::filesystem::rename(partial, path, code);
    if (code) {
        std::filesystem::remove(partial, code);
        return Error{error_code_of_errno(code.value()),
                     "cannot rename " + partial.string() + ": " + code.message()};
    }
    return {};
}

FrameWriter::FrameWriter(std::filesystem::path directory) : directory_(std::move(directory)) {
    std::error_code code;
    std::filesystem::create_directories(directory_, code);
    // Numbering goes on after the highest frame file here, whatever the index says: a damaged
    // index must never make a new frame overwrite an old one.
    for (const auto& entry : std::filesystem::directory_iterator(directory_, code)) {
        const std::string stem = entry.path().stem().string();
        std::uint32_t number = 0;
        const auto [end, error] = std::from_chars(stem.data(), stem.data() + stem.size(), number);
        if (error == std::errc() && end == stem.data() + stem.size() && is_jpeg_name(entry.path()))
            count_ = std::max(count_, number);
    }
}

std::filesystem::path FrameWriter::path_of(std::uint32_t index) const {
    std::array<char, 32> name{};
    std::snprintf(name.data(), name.size(), "%06u.jpg", index + 1);
    return directory_ / name.data();
}

Status FrameWriter::add(std::string_view jpeg, const FrameInfo& info) {
    const std::filesystem::path path = path_of(count_);
    if (Status stored = write_file_atomically(path, jpeg); !stored) return stored;
    const std::filesystem::path index = directory_ / frame_index_name;
    std::error_code code;
    const bool fresh = !std::filesystem::exists(index, code);
    std::FILE* out = std::fopen(index.c_str(), "ab");
    if (out == nullptr) return errno_error("cannot append to " + index.string(), errno);
    if (fresh) std::fwrite(header.data(), 1, header.size(), out);
    const int written = std::fprintf(out, "%s\t%u\t%u\t%.3f\t%.3f\t%.2f\t%.3f\n",
                                     path.filename().c_str(), info.snapshot, info.layer, info.z_mm,
                                     info.elapsed_s, info.progress_percent, info.captured_unix_s);
    const bool closed = std::fclose(out) == 0;
    if (written < 0 || !closed) return errno_error("cannot append to " + index.string(), errno);
    ++count_;
    return {};
}

}  // namespace strata::timelapse
