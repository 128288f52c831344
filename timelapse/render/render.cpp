// render_frames, frame_rate_for and validate: the one-shot render of a frame directory, with
// decoding on worker threads ahead of the encoder.
#include <algorithm>
#include <cmath>

#include "frame_pipeline.hpp"
#include "overlay.hpp"
#include "strata/timelapse/render.hpp"
#include "video_writer.hpp"

namespace strata::timelapse {

double frame_rate_for(const RenderOptions& options, std::size_t frame_count) {
    if (options.run_length_s <= 0.0) return options.fps;
    const double fps = static_cast<double>(frame_count) / options.run_length_s;
    return std::clamp(fps, options.min_fps, options.max_fps);
}

Status validate(const RenderOptions& options) {
    const auto rate_ok = [](double fps) { return fps >= 1.0 && fps <= 240.0; };
    if (options.run_length_s > 0.0) {
        if (!rate_ok(options.min_fps) || !rate_ok(options.max_fps) ||
            options.min_fps > options.max_fps)
            return fail(ErrorCode::invalid,
                        "min_fps and max_fps must be in [1, 240] with min_fps <= max_fps");
    } else if (!rate_ok(options.fps)) {
        return fail(ErrorCode::invalid,
                    "fps must be in [1, 240], not " + std::to_string(options.fps));
    }
    if (options.pre_roll_s < 0.0 || options.post_roll_s < 0.0 || options.pre_roll_s > 600.0 ||
        options.post_roll_s > 600.0)
        return fail(ErrorCode::invalid, "pre_roll_s and post_roll_s must be in [0, 600]");
    if (options.crf < 0 || options.crf > 63)
        return fail(ErrorCode::invalid,
                    "crf must be in [0, 63], not " + std::to_string(options.crf));
    if (!options.overlay.text_template.empty()) {
        std::string unknown;
        // Only the unknown token matters here, not the text.
        (void)render::expand_template(options.overlay.text_template, {}, &unknown);
        if (!unknown.empty())
            return fail(ErrorCode::invalid,
                        "overlay template: unknown token {" + unknown +
                            "} (known: snapshot layer height elapsed time progress)");
        render::TextOverlay overlay;
        if (Status loaded = overlay.load(options.overlay, 1080); !loaded) return loaded;
    }
    if (options.thumbnail_width < 16)
        return fail(ErrorCode::invalid, "thumbnail_width must be at least 16");
    return {};
}

RenderResult render_frames(const std::vector<Frame>& frames, const std::filesystem::path& output,
                           const RenderOptions& options, const std::atomic<bool>* cancel) {
    RenderResult result;
    result.status = validate(options);
    if (!result.status) return result;
    if (frames.empty()) {
        result.status = fail(ErrorCode::invalid, "no frames to render");
        return result;
    }
    const double fps = frame_rate_for(options, frames.size());
    render::VideoWriter writer(output, options, fps);
    {
        render::OrderedDecoder decoder(frames, options, render::worker_count(options.threads));
        for (const Frame& frame : frames) {
            if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
                result.status = fail(ErrorCode::cancelled, "cancelled");
                return result;  // The writer removes its temporary file.
            }
            Result<render::Picture> picture = decoder.next();
            result.status = picture ? writer.add(std::move(*picture), frame) : picture.error();
            if (!result.status) return result;
        }
    }
    writer.finish(result);
    return result;
}

}  // namespace strata::timelapse
