// VirtualCamera: a look-at view and a pinhole projection (Eigen), and a software rasterizer
// simple enough to be obviously right: each finished extrusion is drawn into a persistent canvas
// as it arrives (painter's order, no depth test: a timelapse of layers piling up looks right
// without one), and each snapshot copies the canvas and draws the nozzle. A camera that follows
// Z redraws the canvas, from the extrusions kept, whenever it has moved.
#include <stb_image_write.h>

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

#include "strata/timelapse/virtual_camera.hpp"

namespace strata::timelapse {

ViewPoint front_view(const BedArea& bed, int width_px, int height_px) {
    ViewPoint view;
    const double centre_x = (bed.x_min_mm + bed.x_max_mm) / 2.0;
    const double centre_y = (bed.y_min_mm + bed.y_max_mm) / 2.0;
    const double depth = bed.y_max_mm - bed.y_min_mm;
    view.eye_mm = {centre_x, bed.y_min_mm - 0.75 * depth, 0.7 * depth};
    view.target_mm = {centre_x, centre_y - 0.1 * depth, 0.0};
    view.width_px = width_px;
    view.height_px = height_px;
    return view;
}

struct VirtualCamera::Impl {
    ViewPoint view;
    Eigen::Matrix3d rotation;  ///< World to camera axes (x right, y up, z back).
    Eigen::Vector3d eye;
    double focal_px = 0.0;
    BedArea bed;
    std::mutex mutex;
    std::vector<std::uint8_t> canvas;  ///< The bed and the print so far, RGB24.
    double canvas_z_mm = 0.0;          ///< The camera's rise the canvas was drawn for.
    std::vector<PrintedLine> lines;    ///< Every extrusion, for redrawing (camera follows Z).

    [[nodiscard]] std::uint8_t* pixel(int x, int y) {
        return &canvas[(static_cast<std::size_t>(y) * static_cast<std::size_t>(view.width_px) +
                        static_cast<std::size_t>(x)) *
                       3];
    }

    // Pixel coordinates, or false when the point is behind the camera.
    bool project(const Eigen::Vector3d& world, double camera_z_mm, double& x, double& y) const {
        const Eigen::Vector3d local =
            rotation * (world - eye - Eigen::Vector3d(0.0, 0.0, camera_z_mm));
        if (local.z() > -1.0) return false;
        x = view.width_px / 2.0 + focal_px * local.x() / -local.z();
        y = view.height_px / 2.0 - focal_px * local.y() / -local.z();
        return true;
    }

    void fill_background() {
        for (int y = 0; y < view.height_px; ++y)
            for (int x = 0; x < view.width_px; ++x) {
                const auto shade = static_cast<std::uint8_t>(40 + 30 * y / view.height_px);
                std::uint8_t* p = pixel(x, y);
                p[0] = shade, p[1] = shade, p[2] = static_cast<std::uint8_t>(shade + 15);
            }
    }

    void redraw(double camera_z_mm) {
        canvas_z_mm = camera_z_mm;
        fill_background();
        fill_bed();
        draw_grid();
        for (const PrintedLine& segment : lines)
            line(segment);
    }

    void fill_bed() {
        std::array<Eigen::Vector2d, 4> corners;
        const std::array<std::array<double, 2>, 4> world = {{{bed.x_min_mm, bed.y_min_mm},
                                                             {bed.x_max_mm, bed.y_min_mm},
                                                             {bed.x_max_mm, bed.y_max_mm},
                                                             {bed.x_min_mm, bed.y_max_mm}}};
        for (std::size_t i = 0; i < 4; ++i)
            if (!project({world[i][0], world[i][1], 0.0}, canvas_z_mm, corners[i].x(),
                         corners[i].y()))
                return;
        for (int y = 0; y < view.height_px; ++y)
            for (int x = 0; x < view.width_px; ++x) {
                const Eigen::Vector2d p(x + 0.5, y + 0.5);
                bool inside = true;
                double first_sign = 0.0;
                for (std::size_t i = 0; i < 4 && inside; ++i) {
                    const Eigen::Vector2d edge = corners[(i + 1) % 4] - corners[i];
                    const Eigen::Vector2d to = p - corners[i];
                    const double cross = edge.x() * to.y() - edge.y() * to.x();
                    if (first_sign == 0.0) first_sign = cross;
                    inside = cross * first_sign >= 0.0;
                }
                if (!inside) continue;
                std::uint8_t* out = pixel(x, y);
                out[0] = 95, out[1] = 100, out[2] = 105;
            }
    }

    void dot(int x, int y, int radius, const std::array<std::uint8_t, 3>& rgb,
             std::vector<std::uint8_t>& image) const {
        for (int dy = -radius; dy <= radius; ++dy)
            for (int dx = -radius; dx <= radius; ++dx) {
                const int px = x + dx;
                const int py = y + dy;
                if (dx * dx + dy * dy > radius * radius || px < 0 || py < 0 ||
                    px >= view.width_px || py >= view.height_px)
                    continue;
                std::uint8_t* out =
                    &image[(static_cast<std::size_t>(py) * static_cast<std::size_t>(view.width_px) +
                            static_cast<std::size_t>(px)) *
                           3];
                out[0] = rgb[0], out[1] = rgb[1], out[2] = rgb[2];
            }
    }

    void line(const PrintedLine& segment) {
        // Filament colour by height, so layers read apart: orange at the bed, yellow higher up.
        const double height = std::clamp(static_cast<double>(segment.to_mm[2]) / 50.0, 0.0, 1.0);
        stroke(Eigen::Vector3f(segment.from_mm.data()).cast<double>(),
               Eigen::Vector3f(segment.to_mm.data()).cast<double>(),
               {235, static_cast<std::uint8_t>(110 + 120 * height), 40}, 1);
    }

    void stroke(const Eigen::Vector3d& from, const Eigen::Vector3d& to,
                const std::array<std::uint8_t, 3>& rgb, int radius) {
        double x0 = 0.0, y0 = 0.0, x1 = 0.0, y1 = 0.0;
        if (!project(from, canvas_z_mm, x0, y0) || !project(to, canvas_z_mm, x1, y1)) return;
        const int steps =
            static_cast<int>(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0))));
        for (int i = 0; i <= steps; ++i) {
            const double t = steps == 0 ? 0.0 : static_cast<double>(i) / steps;
            dot(static_cast<int>(std::lround(x0 + (x1 - x0) * t)),
                static_cast<int>(std::lround(y0 + (y1 - y0) * t)), radius, rgb, canvas);
        }
    }

    // A line every 10 mm across the bed, for depth and scale.
    void draw_grid() {
        const std::array<std::uint8_t, 3> rgb = {62, 66, 72};
        const auto first_x = static_cast<int>(std::ceil(bed.x_min_mm / 10.0));
        const auto first_y = static_cast<int>(std::ceil(bed.y_min_mm / 10.0));
        for (int column = first_x; column * 10.0 <= bed.x_max_mm; ++column)
            stroke({column * 10.0, bed.y_min_mm, 0.0}, {column * 10.0, bed.y_max_mm, 0.0}, rgb, 0);
        for (int row = first_y; row * 10.0 <= bed.y_max_mm; ++row)
            stroke({bed.x_min_mm, row * 10.0, 0.0}, {bed.x_max_mm, row * 10.0, 0.0}, rgb, 0);
    }
};

VirtualCamera::VirtualCamera(const BedArea& bed, const ViewPoint& view)
    : impl_(std::make_unique<Impl>()) {
    Impl& impl = *impl_;
    impl.view = view;
    impl.eye = Eigen::Vector3d(view.eye_mm.data());
    const Eigen::Vector3d forward =
        (Eigen::Vector3d(view.target_mm.data()) - impl.eye).normalized();
    const Eigen::Vector3d right = forward.cross(Eigen::Vector3d::UnitZ()).normalized();
    const Eigen::Vector3d up = right.cross(forward);
    impl.rotation.row(0) = right.transpose();
    impl.rotation.row(1) = up.transpose();
    impl.rotation.row(2) = -forward.transpose();
    impl.focal_px = view.height_px / 2.0 / std::tan(view.vertical_fov_deg * M_PI / 360.0);
    impl.bed = bed;
    impl.canvas.resize(static_cast<std::size_t>(view.width_px) *
                       static_cast<std::size_t>(view.height_px) * 3);
    impl.redraw(0.0);
}

VirtualCamera::~VirtualCamera() = default;

void VirtualCamera::add_printed(const std::vector<PrintedLine>& lines) {
    const std::lock_guard lock(impl_->mutex);
    for (const PrintedLine& segment : lines)
        impl_->line(segment);
    if (impl_->view.follows_z) impl_->lines.insert(impl_->lines.end(), lines.begin(), lines.end());
}

std::array<double, 2> VirtualCamera::project(const std::array<double, 3>& point_mm,
                                             double camera_z_mm) const {
    std::array<double, 2> pixel{-1.0, -1.0};
    (void)impl_->project(Eigen::Vector3d(point_mm.data()), camera_z_mm, pixel[0], pixel[1]);
    return pixel;
}

std::array<double, 2> VirtualCamera::nozzle_pixel(const std::array<double, 3>& nozzle_mm) const {
    return project(nozzle_mm, impl_->view.follows_z ? nozzle_mm[2] : 0.0);
}

std::string VirtualCamera::snapshot_jpeg(const std::array<double, 3>& nozzle_mm) const {
    std::vector<std::uint8_t> image;
    const std::lock_guard lock(impl_->mutex);
    if (impl_->view.follows_z && nozzle_mm[2] != impl_->canvas_z_mm) impl_->redraw(nozzle_mm[2]);
    image = impl_->canvas;
    const Eigen::Vector3d tip(nozzle_mm.data());
    double tip_x = 0.0, tip_y = 0.0, top_x = 0.0, top_y = 0.0;
    const double camera_z_mm = impl_->canvas_z_mm;
    if (impl_->project(tip, camera_z_mm, tip_x, tip_y) &&
        impl_->project(tip + Eigen::Vector3d(0.0, 0.0, 12.0), camera_z_mm, top_x, top_y)) {
        // The hotend: a grey body from the tip upwards, then the tip's dot on top of it.
        const int steps = static_cast<int>(std::ceil(std::abs(top_y - tip_y)));
        for (int i = 0; i <= steps; ++i) {
            const double t = steps == 0 ? 0.0 : static_cast<double>(i) / steps;
            impl_->dot(static_cast<int>(std::lround(tip_x + (top_x - tip_x) * t)),
                       static_cast<int>(std::lround(tip_y + (top_y - tip_y) * t)),
                       2 + static_cast<int>(6 * t), {170, 170, 180}, image);
        }
        impl_->dot(static_cast<int>(std::lround(tip_x)), static_cast<int>(std::lround(tip_y)), 4,
                   nozzle_rgb, image);
    }
    std::string jpeg;
    stbi_write_jpg_to_func(
        [](void* context, void* data, int size) {
            static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                                       static_cast<std::size_t>(size));
        },
        &jpeg, impl_->view.width_px, impl_->view.height_px, 3, image.data(), 92);
    return jpeg;
}

}  // namespace strata::timelapse
