// Frame archives: a frame directory packed into a POSIX ustar file (JPEGs do not compress, so
// a plain tar costs nothing and any tool opens it), written atomically, and unpacked again for a
// re-render. Only flat directories of regular files are packed, which is all a frame store holds.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numeric>
#include <system_error>

#include "read_whole.hpp"
#include "strata/timelapse/frames.hpp"

namespace strata::timelapse {
namespace {

using frames::read_whole;

constexpr std::size_t block_bytes = 512;
using Block = std::array<char, block_bytes>;

void put_octal(char* field, std::size_t width, std::uint64_t value) {
    std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                  static_cast<unsigned long long>(value));
}

Block header_for(const std::string& name, std::uint64_t size) {
    Block header{};
    std::memcpy(header.data(), name.data(), std::min<std::size_t>(name.size(), 99));
    put_octal(&header[100], 8, 0644);
    put_octal(&header[108], 8, 0);
    put_octal(&header[116], 8, 0);
    put_octal(&header[124], 12, size);
    put_octal(&header[136], 12, 0);
    header[156] = '0';
    std::memcpy(&header[257], "ustar", 6);
    std::memcpy(&header[263], "00", 2);
    // The checksum is computed with its own field read as spaces.
    std::memset(&header[148], ' ', 8);
    const unsigned sum = std::accumulate(
        header.begin(), header.end(), 0U,
        [](unsigned total, char c) { return total + static_cast<unsigned char>(c); });
    std::snprintf(&header[148], 8, "%06o", sum);
    header[155] = ' ';
    return header;
}

Status pack(const std::filesystem::path& directory, const std::filesystem::path& archive) {
    std::vector<std::filesystem::path> files;
    std::error_code code;
    for (const auto& entry : std::filesystem::directory_iterator(directory, code))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::string tar;
    for (const auto& file : files) {
        const std::string name = file.filename().string();
        std::string bytes;
        if (name.size() > 99 || !read_whole(file, bytes))
            return fail(ErrorCode::io, file.string() + ": cannot be archived");
        const Block header = header_for(name, bytes.size());
        tar.append(header.data(), header.size());
        tar += bytes;
        tar.append((block_bytes - bytes.size() % block_bytes) % block_bytes, '\0');
    }
    tar.append(2 * block_bytes, '\0');
    return write_file_atomically(archive, tar);
}

}  // namespace

Status apply_frame_policy(const std::filesystem::path& directory, FramePolicy policy) {
    std::error_code code;
    switch (policy) {
        case FramePolicy::keep: return {};
        case FramePolicy::archive:
            if (Status packed = pack(directory, directory.string() + ".tar"); !packed)
                return packed;
            [[fallthrough]];
        case FramePolicy::remove:
            std::filesystem::remove_all(directory, code);
            if (code)
                return Error{error_code_of_errno(code.value()),
                             "cannot remove " + directory.string() + ": " + code.message()};
            return {};
    }
    return {};
}

Status extract_frame_archive(const std::filesystem::path& archive,
                             const std::filesystem::path& directory) {
    std::string tar;
    if (!read_whole(archive, tar))
        return fail(ErrorCode::io, archive.string() + ": cannot be read");
    std::error_code code;
    std::filesystem::create_directories(directory, code);
    std::size_t offset = 0;
    while (offset + block_bytes <= tar.size() && tar[offset] != '\0') {
        const std::string name(tar.data() + offset, strnlen(tar.data() + offset, 100));
        const std::uint64_t size = std::strtoull(tar.substr(offset + 124, 12).c_str(), nullptr, 8);
        offset += block_bytes;
        // Names with a separator or a dot-dot would reach outside the directory: refused.
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." ||
            offset + size > tar.size())
            return fail(ErrorCode::invalid,
                        archive.string() + ": damaged or unsafe entry '" + name + "'");
        if (Status written =
                write_file_atomically(directory / name, std::string_view(tar).substr(offset, size));
            !written)
            return written;
        offset += (size + block_bytes - 1) / block_bytes * block_bytes;
    }
    return {};
}

}  // namespace strata::timelapse
