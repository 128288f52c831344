// The render tests' fixture: synthetic JPEG frames in a scratch directory, and the video read
// back by FFmpeg's own tools: ffprobe for the container and stream, ffmpeg for decoded pixels.
#pragma once

#include <stb_image_write.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/timelapse/frames.hpp"
#include "strata/timelapse/render.hpp"

namespace strata::testing {

namespace fs = std::filesystem;

/// The offset of pixel (x, y) in packed RGB24 rows `width` pixels wide.
inline std::size_t offset_of(int x, int y, int width) {
    return (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
            static_cast<std::size_t>(x)) *
           3;
}

class RenderFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = test_directory("strata_render_");
        fs::create_directories(directory_ / "frames");
    }
    void TearDown() override { fs::remove_all(directory_); }

    // `count` frames of `width`×`height`: a square moving across a gradient, so each differs.
    void write_frames(int count, int width, int height) {
        std::vector<unsigned char> rgb(static_cast<std::size_t>(width * height * 3));
        for (int frame = 0; frame < count; ++frame) {
            for (int y = 0; y < height; ++y) {
                for (int x = 0; x < width; ++x) {
                    const bool square = x / 8 == frame % (width / 8) && y < 16;
                    unsigned char* pixel =
                        &rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                              static_cast<std::size_t>(x)) *
                             3];
                    pixel[0] = square ? 255 : static_cast<unsigned char>(x * 255 / width);
                    pixel[1] = square ? 255 : static_cast<unsigned char>(y * 255 / height);
                    pixel[2] = 64;
                }
            }
            char name[32];
            std::snprintf(name, sizeof name, "%06d.jpg", frame);
            ASSERT_NE(stbi_write_jpg((directory_ / "frames" / name).c_str(), width, height, 3,
                                     rgb.data(), 90),
                      0);
        }
    }

    // A JPEG of `width`×`height` filled with `background`, with a red 8×8 block in its top-left
    // corner: where the block ends up tells the rotation and flips apart.
    static std::string marker_jpeg(int width, int height, unsigned char background) {
        std::vector<unsigned char> rgb(static_cast<std::size_t>(width * height * 3), background);
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x) {
                unsigned char* pixel = &rgb[offset_of(x, y, width)];
                pixel[0] = 255, pixel[1] = 0, pixel[2] = 0;
            }
        std::string jpeg;
        stbi_write_jpg_to_func(
            [](void* context, void* data, int size) {
                static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                                           static_cast<std::size_t>(size));
            },
            &jpeg, width, height, 3, rgb.data(), 95);
        return jpeg;
    }

    // ffprobe's view of the first video stream and the container, as key=value pairs.
    static std::map<std::string, std::string> probe(const fs::path& video) {
        const std::string command =
            "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
            "stream=codec_name,nb_read_frames,r_frame_rate,width,height,pix_fmt:format=duration "
            "-of default=noprint_wrappers=1 '" +
            video.string() + "'";
        std::map<std::string, std::string> fields;
        FILE* pipe = ::popen(command.c_str(), "r");
        if (pipe == nullptr) return fields;
        std::array<char, 256> line{};
        while (std::fgets(line.data(), line.size(), pipe) != nullptr) {
            std::string text(line.data());
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
                text.pop_back();
            const std::size_t equals = text.find('=');
            if (equals != std::string::npos)
                fields[text.substr(0, equals)] = text.substr(equals + 1);
        }
        ::pclose(pipe);
        return fields;
    }

    // Frame `index` of `video`, decoded by ffmpeg to packed RGB24 (empty when it fails).
    static std::vector<unsigned char> decode_frame(const fs::path& video, int index, int width,
                                                   int height) {
        const std::string command = "ffmpeg -v error -i '" + video.string() +
                                    "' -vf 'select=eq(n\\," + std::to_string(index) +
                                    ")' -vframes 1 -f rawvideo -pix_fmt rgb24 -";
        std::vector<unsigned char> rgb(static_cast<std::size_t>(width) *
                                       static_cast<std::size_t>(height) * 3);
        FILE* pipe = ::popen(command.c_str(), "r");
        if (pipe == nullptr) return {};
        const std::size_t read = std::fread(rgb.data(), 1, rgb.size(), pipe);
        ::pclose(pipe);
        if (read != rgb.size()) return {};
        return rgb;
    }

    static std::vector<timelapse::Frame> frames_in(const fs::path& directory) {
        return strata::testing::value_of(timelapse::load_frames(directory));
    }

    fs::path directory_;
};

}  // namespace strata::testing
