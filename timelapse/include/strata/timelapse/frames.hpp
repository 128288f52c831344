// The frame store: the JPEGs one camera captured for one job, numbered in capture order, with a
// metadata row per frame (snapshot number, layer, height, print time, progress) in `frames.tsv`
// beside them. The renderer reads the same directory back, and the overlay draws from the rows.
// Frames are kept as the camera sent them (no re-encode at capture); rotation and flips are
// applied when rendering. After rendering, a policy keeps, archives or deletes them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "strata/common/result.hpp"

namespace strata::timelapse {

/// What the print was doing when a frame was captured. Unknown values stay at their defaults.
struct FrameInfo {
    std::uint32_t snapshot = 0;     ///< The job's snapshot number (`@STRATA SNAPSHOT n=`).
    std::uint32_t layer = 0;        ///< 1-based; 0 when unknown.
    double z_mm = 0.0;              ///< Height of the layer being printed.
    double elapsed_s = 0.0;         ///< Print time since the job started.
    double progress_percent = 0.0;  ///< Of the job's estimated time.
    double captured_unix_s = 0.0;   ///< Wall clock when captured.
};

struct Frame {
    std::filesystem::path path;
    FrameInfo info;
};

/// The name of the metadata file in a frame directory.
inline constexpr std::string_view frame_index_name = "frames.tsv";

/// The frames of `directory` in capture order. With a `frames.tsv`, its rows give the files and
/// their metadata (a torn last row, from a crash while appending, is skipped; a row naming a
/// missing file is an error). Without one, every .jpg/.jpeg in name order, metadata unknown.
/// Refused naming the row or file that is wrong.
[[nodiscard]] Result<std::vector<Frame>> load_frames(const std::filesystem::path& directory);

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so readers see
/// the whole file or none of it; a full disk is `no_space`, and nothing is left behind.
[[nodiscard]] Status write_file_atomically(const std::filesystem::path& path,
                                           std::string_view bytes);

/// Appends frames to one camera's directory. Each JPEG is written to a temporary name and renamed,
/// then its row is appended and flushed, so a crash leaves only whole frames listed.
class FrameWriter {
  public:
    /// Creates `directory` when missing; continues the numbering after the frames already in it.
    explicit FrameWriter(std::filesystem::path directory);

    /// Stores one JPEG; refused when the disk refused it (`no_space` when full).
    [[nodiscard]] Status add(std::string_view jpeg, const FrameInfo& info);
    [[nodiscard]] std::uint32_t count() const { return count_; }
    [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }
    /// The path of frame number `index` (0-based).
    [[nodiscard]] std::filesystem::path path_of(std::uint32_t index) const;

  private:
    std::filesystem::path directory_;
    std::uint32_t count_ = 0;
};

/// What happens to a frame directory once its video exists.
enum class FramePolicy : std::uint8_t {
    keep,     ///< Left as is, for re-rendering with other settings.
    archive,  ///< Packed into `<directory>.tar` (frames and metadata), then removed.
    remove,   ///< Deleted.
};

/// Applies `policy` to `directory`; on failure the frames are left in place.
[[nodiscard]] Status apply_frame_policy(const std::filesystem::path& directory, FramePolicy policy);

/// Unpacks an archive made by `apply_frame_policy` into `directory`, for re-rendering.
[[nodiscard]] Status extract_frame_archive(const std::filesystem::path& archive,
                                           const std::filesystem::path& directory);

}  // namespace strata::timelapse
