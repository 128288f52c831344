// LayerTracker: the comment view and the geometric view of a file's layers.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "strata/parser/layers.hpp"

namespace strata::parser {

namespace {
// Smaller height changes between printing moves are noise, not layers (rounding in the file).
constexpr double min_layer_step_mm = 0.005;
}  // namespace

std::int64_t layer_of_line(const std::vector<Layer>& layers, std::uint64_t line) {
    auto after = std::upper_bound(
        layers.begin(), layers.end(), line,
        [](std::uint64_t value, const Layer& layer) { return value < layer.first_line; });
    return static_cast<std::int64_t>(after - layers.begin()) - 1;
}

void LayerTracker::on_marker(std::uint64_t line, std::optional<double> z_mm) {
    last_printing_z_mm_ =
        std::numeric_limits<double>::quiet_NaN();  // The next move sets the layer's height.
    if (!marker_layers_.empty() && z_mm && std::fabs(marker_layers_.back().z_mm - *z_mm) < 1e-6) {
        return;  // KISSlicer marks every object of a layer; same height means same layer.
    }
    Layer layer;
    layer.index = static_cast<std::uint32_t>(marker_layers_.size());
    layer.z_mm = z_mm.value_or(marker_layers_.empty() ? 0.0 : marker_layers_.back().z_mm);
    layer.first_line = line;
    marker_layers_.push_back(layer);
}

void LayerTracker::on_printing_move(std::uint64_t line, double start_z_mm, double end_z_mm) {
    // Almost every printing move is flat and at the height of the one before: nothing changes.
    if (start_z_mm == end_z_mm && end_z_mm == last_printing_z_mm_) return;
    last_printing_z_mm_ = end_z_mm;
    if (!marker_layers_.empty() && !marker_layers_.back().has_print) {
        marker_layers_.back().z_mm = end_z_mm;
        marker_layers_.back().has_print = true;
    }
    auto start_layer = [&] {
        geometric_layers_.push_back(
            Layer{static_cast<std::uint32_t>(geometric_layers_.size()), end_z_mm, line, true});
    };
    if (geometric_layers_.empty()) return start_layer();
    const double dz = end_z_mm - geometric_layers_.back().z_mm;
    // Once a few printing moves climb while they print, the file spirals (vase mode, Cura's
    // spiralize, non-planar paths): from then on height changes are mostly the spiral itself,
    // and a new layer starts only after a whole layer height of climb. Descending extrusions
    // (purge lines that lower onto the bed) do not count.
    const bool spiral = std::fabs(end_z_mm - start_z_mm) > 1e-6;
    if (end_z_mm > start_z_mm + 1e-6 && ++climbing_moves_ >= 3) spiralling_ = true;
    if (!spiralling_ && !spiral) {
        if (std::fabs(dz) >= min_layer_step_mm) start_layer();
        return;
    }
    const double first_layer_z = geometric_layers_.front().z_mm;
    const double nominal = config_.layer_height_mm > 0.0                   ? config_.layer_height_mm
                           : (first_layer_z > 0.05 && first_layer_z < 0.5) ? first_layer_z
                                                                           : 0.2;
    if (dz >= 0.9 * nominal || dz <= -nominal) start_layer();
}

void LayerTracker::finish(Diagnostics& diagnostics) {
    if (marker_layers_.empty() || geometric_layers_.empty()) return;
    const double comments = static_cast<double>(marker_layers_.size());
    const double geometry = static_cast<double>(geometric_layers_.size());
    if (std::fabs(comments - geometry) > std::max(1.0, 0.005 * comments)) {
        diagnostics.warn(0, "layer comments give " + std::to_string(marker_layers_.size()) +
                                " layers but the printing moves change height " +
                                std::to_string(geometric_layers_.size()) +
                                " times; using the comments");
    }
}

}  // namespace strata::parser
