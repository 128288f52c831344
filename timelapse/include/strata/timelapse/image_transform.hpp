// How a camera's frames are turned before anything else is done with them: a camera mounted
// sideways or upside down. The camera's configuration carries it, the renderer applies it; this
// header is shared by both so that the camera does not include the encoder's.
#pragma once

#include <cstdint>

namespace strata::timelapse {

enum class Rotation : std::uint8_t { none, cw90, cw180, cw270 };

/// Applied to every frame before the overlay.
struct ImageTransform {
    Rotation rotation = Rotation::none;  ///< Clockwise.
    bool flip_horizontal = false;        ///< Mirror left and right (after rotating).
    bool flip_vertical = false;          ///< Mirror top and bottom (after rotating).
};

}  // namespace strata::timelapse
