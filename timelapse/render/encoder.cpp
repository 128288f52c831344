// The FFmpeg side of the renderer: output context, codec, scaler, and the send/receive loop
// between them. Every libav call that can fail is checked and named in the error.
#include "encoder.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <array>
#include <cmath>

namespace strata::timelapse::render {
namespace {

std::string av_message(int code) {
    std::array<char, AV_ERROR_MAX_STRING_SIZE> text{};
    av_strerror(code, text.data(), text.size());
    return text.data();
}

// A failed libav call: `what` and libav's words. Most of its codes are negated errno values
// (AVERROR(ENOSPC) when the disk is full), which keep their meaning; the rest are libav's own.
Error av_error(const std::string& what, int code) {
    constexpr int highest_errno = 4095;
    const ErrorCode kind =
        code < 0 && -code <= highest_errno ? error_code_of_errno(-code) : ErrorCode::io;
    return Error{kind, what + ": " + av_message(code)};
}

struct Format {
    const char* muxer;
    const char* codec;
    AVPixelFormat pixels;
};

Format format_of(VideoFormat format) {
    switch (format) {
        case VideoFormat::mp4_h264: return {"mp4", "libx264", AV_PIX_FMT_YUV420P};
        case VideoFormat::webm_vp9: return {"webm", "libvpx-vp9", AV_PIX_FMT_YUV420P};
        case VideoFormat::gif: return {"gif", "gif", AV_PIX_FMT_RGB8};
    }
    return {"mp4", "libx264", AV_PIX_FMT_YUV420P};
}

void set_quality(AVCodecContext* codec, VideoFormat format, const RenderOptions& options) {
    const std::string crf = std::to_string(options.crf);
    if (format == VideoFormat::mp4_h264) {
        av_opt_set(codec->priv_data, "preset", options.x264_preset.c_str(), 0);
        av_opt_set(codec->priv_data, "crf", crf.c_str(), 0);
    } else if (format == VideoFormat::webm_vp9) {
        // Constant quality needs a zero bitrate; "good" with cpu-used 5 and row threading is
        // one of libvpx's faster settings.
        codec->bit_rate = 0;
        av_opt_set(codec->priv_data, "crf", crf.c_str(), 0);
        av_opt_set(codec->priv_data, "deadline", "good", 0);
        av_opt_set(codec->priv_data, "cpu-used", "5", 0);
        av_opt_set(codec->priv_data, "row-mt", "1", 0);
    }
}

}  // namespace

struct Encoder::State {
    AVFormatContext* format = nullptr;
    AVCodecContext* codec = nullptr;
    AVStream* stream = nullptr;
    SwsContext* scaler = nullptr;
    AVFrame* frame = nullptr;
    AVFrame* rgb = nullptr;  ///< The caller's pixels, copied into FFmpeg's padded buffer.
    AVPacket* packet = nullptr;
    bool header_written = false;
    int width = 0;
    int height = 0;

    ~State() {
        av_packet_free(&packet);
        av_frame_free(&frame);
        av_frame_free(&rgb);
        sws_freeContext(scaler);
        avcodec_free_context(&codec);
        if (format != nullptr && (format->oformat->flags & AVFMT_NOFILE) == 0)
            avio_closep(&format->pb);
        avformat_free_context(format);
    }
};

Encoder::Encoder() : state_(std::make_unique<State>()) {}
Encoder::~Encoder() = default;

Status Encoder::open(const std::string& path, int width, int height, double fps,
                     const RenderOptions& options) {
    State& s = *state_;
    // libav logs encoder statistics to stderr by default; only its errors belong there.
    av_log_set_level(AV_LOG_ERROR);
    const Format format = format_of(options.format);
    s.width = width;
    s.height = height;
    if (avformat_alloc_output_context2(&s.format, nullptr, format.muxer, path.c_str()) < 0)
        return fail(ErrorCode::unavailable,
                    std::string("no ") + format.muxer + " muxer in this FFmpeg");
    const AVCodec* codec = avcodec_find_encoder_by_name(format.codec);
    if (codec == nullptr)
        return fail(ErrorCode::unavailable,
                    std::string("no ") + format.codec + " encoder in this FFmpeg");
    s.stream = avformat_new_stream(s.format, nullptr);
    s.codec = avcodec_alloc_context3(codec);
    const AVRational frame_rate = av_d2q(fps, 100000);
    s.codec->width = width;
    s.codec->height = height;
    s.codec->pix_fmt = format.pixels;
    s.codec->time_base = av_inv_q(frame_rate);
    s.codec->framerate = frame_rate;
    s.codec->thread_count = options.threads;
    if ((s.format->oformat->flags & AVFMT_GLOBALHEADER) != 0)
        s.codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    set_quality(s.codec, options.format, options);
    if (const int code = avcodec_open2(s.codec, codec, nullptr); code < 0)
        return av_error(std::string("cannot open the ") + format.codec + " encoder", code);
    avcodec_parameters_from_context(s.stream->codecpar, s.codec);
    s.stream->time_base = s.codec->time_base;
    s.stream->avg_frame_rate = frame_rate;
    if (const int code = avio_open(&s.format->pb, path.c_str(), AVIO_FLAG_WRITE); code < 0)
        return av_error("cannot write " + path, code);
    AVDictionary* muxer_options = nullptr;
    if (options.format == VideoFormat::mp4_h264)
        av_dict_set(&muxer_options, "movflags", "+faststart", 0);
    const int written = avformat_write_header(s.format, &muxer_options);
    av_dict_free(&muxer_options);
    if (written < 0) return av_error("cannot start " + path, written);
    s.header_written = true;
    s.scaler = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, format.pixels,
                              SWS_BICUBIC, nullptr, nullptr, nullptr);
    s.frame = av_frame_alloc();
    s.rgb = av_frame_alloc();
    s.packet = av_packet_alloc();
    s.frame->format = format.pixels;
    s.frame->width = width;
    s.frame->height = height;
    s.rgb->format = AV_PIX_FMT_RGB24;
    s.rgb->width = width;
    s.rgb->height = height;
    if (s.scaler == nullptr || av_frame_get_buffer(s.frame, 0) < 0 ||
        av_frame_get_buffer(s.rgb, 0) < 0)
        return fail(ErrorCode::internal, "cannot set up the pixel conversion");
    return {};
}

Status Encoder::add(const std::uint8_t* rgb, int stride) {
    State& s = *state_;
    if (const int code = av_frame_make_writable(s.frame); code < 0)
        return av_error("frame buffer", code);
    // libswscale's SIMD reads past the end of its input rows; FFmpeg's own frame buffers are
    // padded for that, a caller's tightly packed picture is not (it crashed at the last row).
    // The copy costs about a millisecond at 1080p.
    av_image_copy_plane(s.rgb->data[0], s.rgb->linesize[0], rgb, stride, s.width * 3, s.height);
    sws_scale(s.scaler, s.rgb->data, s.rgb->linesize, 0, s.height, s.frame->data,
              s.frame->linesize);
    s.frame->pts = static_cast<std::int64_t>(next_pts_++);
    return send(false);
}

// Sends a frame (or the end of the stream) and writes every packet the codec has ready.
Status Encoder::send(bool flushing) {
    State& s = *state_;
    if (const int code = avcodec_send_frame(s.codec, flushing ? nullptr : s.frame); code < 0)
        return av_error("encoding", code);
    for (;;) {
        const int code = avcodec_receive_packet(s.codec, s.packet);
        if (code == AVERROR(EAGAIN) || code == AVERROR_EOF) return {};
        if (code < 0) return av_error("encoding", code);
        av_packet_rescale_ts(s.packet, s.codec->time_base, s.stream->time_base);
        s.packet->stream_index = s.stream->index;
        const int written = av_interleaved_write_frame(s.format, s.packet);
        if (written < 0) return av_error("writing", written);
    }
}

Status Encoder::finish() {
    State& s = *state_;
    if (Status flushed = send(true); !flushed) return flushed;
    if (const int code = av_write_trailer(s.format); code < 0)
        return av_error("finishing the file", code);
    return {};
}

}  // namespace strata::timelapse::render
