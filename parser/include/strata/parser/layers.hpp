// Layer tracking: which layer every line belongs to and at what height. Two independent views
// are kept: the slicer's own layer comments (authoritative when present) and the geometry (the
// height of printing moves), which works for files without comments and checks the comments.
// Z-hops never start a layer (only printing moves count), sequential prints restart low and
// purge lines sit at their own height; spiral (vase) moves climb continuously, so within them a
// new layer starts only after a whole layer height of climb.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "strata/parser/diagnostics.hpp"

namespace strata::parser {

struct Layer {
    std::uint32_t index = 0;
    double z_mm = 0.0;  ///< Height of the layer's first printing move (or the comment's, if none).
    std::uint64_t first_line = 0;  ///< 1-based line where the layer starts.
    bool has_print = false;
};

/// Index into `layers` of the layer that 1-based `line` belongs to, or -1 before the first one.
/// Layers are ordered by `first_line`, so this is a binary search.
[[nodiscard]] std::int64_t layer_of_line(const std::vector<Layer>& layers, std::uint64_t line);

struct LayerTrackerConfig {
    double layer_height_mm = 0.0;  ///< Nominal, from the slicer settings; 0 when unknown.
};

class LayerTracker {
  public:
    explicit LayerTracker(const LayerTrackerConfig& config) : config_(config) {}

    /// A slicer layer comment at `line`; `z_mm` when the comment states the height.
    void on_marker(std::uint64_t line, std::optional<double> z_mm);
    /// A printing move (extrusion with XY motion) from `start_z_mm` to `end_z_mm` at `line`.
    void on_printing_move(std::uint64_t line, double start_z_mm, double end_z_mm);
    /// Compares the two views and reports a disagreement.
    void finish(Diagnostics& diagnostics);

    /// The layers: from comments when the file has them, from geometry otherwise.
    [[nodiscard]] const std::vector<Layer>& layers() const {
        return from_comments() ? marker_layers_ : geometric_layers_;
    }
    [[nodiscard]] bool from_comments() const { return !marker_layers_.empty(); }
    [[nodiscard]] const std::vector<Layer>& geometric_layers() const { return geometric_layers_; }
    [[nodiscard]] const std::vector<Layer>& comment_layers() const { return marker_layers_; }

  private:
    const LayerTrackerConfig config_;
    std::vector<Layer> marker_layers_;
    std::vector<Layer> geometric_layers_;
    int climbing_moves_ = 0;
    double last_printing_z_mm_ = std::numeric_limits<double>::quiet_NaN();
    bool spiralling_ = false;  ///< Sticky: the file has been seen to print while climbing.
};

}  // namespace strata::parser
