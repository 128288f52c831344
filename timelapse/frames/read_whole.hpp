// Whole-file reads for the frame store and its archives. Internal to timelapse/frames.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace strata::timelapse::frames {

/// The bytes of `path`; false when it cannot be opened or read.
inline bool read_whole(const std::filesystem::path& path, std::string& bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

}  // namespace strata::timelapse::frames
