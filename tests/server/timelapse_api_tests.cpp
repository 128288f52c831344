// A print's timelapse through the server: the virtual printer's webcam configured as a camera,
// a G-code uploaded with print=true, the print captured at every snapshot and rendered, and the
// video listed by GET /api/timelapse and served with Range, with a MovieDone event.
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"
#include "strata/timelapse/virtual_camera.hpp"
#include "virtual_webcam.hpp"

namespace strata::server::test {
namespace {

class TimelapseApiTest : public ServerTest {
  protected:
    void configure(ServerConfig& config) override {
        const timelapse::BedArea bed{0.0, 180.0, 0.0, 180.0};
        webcam_ = std::make_unique<cli::VirtualWebcam>(*printer_, bed,
                                                       timelapse::front_view(bed, 320, 240));
        std::string error;
        ASSERT_TRUE(webcam_->start("127.0.0.1", 0, error)) << error;
        timelapse::CameraConfig camera;
        camera.name = "camera0";
        camera.url = webcam_->snapshot_url();
        config.printer.cameras = {camera};
    }

    void TearDown() override {
        server_.reset();  // The camera goes after the server that captures from it.
        webcam_.reset();
        ServerTest::TearDown();
    }

    std::unique_ptr<cli::VirtualWebcam> webcam_;
};

TEST_F(TimelapseApiTest, APrintsVideoIsListedAndServed) {
    ASSERT_TRUE(connect_printer());
    const auto uploaded =
        upload(operator_key_, "cube.gcode", read_file(sample_gcode), {{"print", "true", "", ""}});
    ASSERT_TRUE(uploaded);
    ASSERT_EQ(uploaded->status, 201);
    httplib::Client http = client(viewer_key_);
    rapidjson::Document listing;
    ASSERT_TRUE(eventually(
        [&] {
            const auto answer = http.Get("/api/timelapse");
            if (!answer || answer->status != 200) return false;
            listing.Parse(answer->body.c_str());
            return listing.IsObject() && testing::at(listing, "files").Size() == 1;
        },
        90.0));
    EXPECT_TRUE(testing::at(listing, "enabled").GetBool());
    const rapidjson::Value& video = testing::at(listing, "files.0");
    const std::string name = testing::at(video, "name").GetString();
    EXPECT_EQ(name.rfind("cube_", 0), 0U) << name;
    EXPECT_EQ(name.substr(name.size() - 12), "_camera0.mp4");
    EXPECT_GT(testing::at(video, "bytes").GetInt64(), 1000);
    EXPECT_TRUE(testing::at(video, "thumbnail").IsString());
    // The video's first bytes by Range: an MP4 ('ftyp' at offset 4).
    const auto head = http.Get(testing::at(video, "url").GetString(), {{"Range", "bytes=0-99"}});
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 206);
    ASSERT_EQ(head->body.size(), 100U);
    EXPECT_EQ(head->body.substr(4, 4), "ftyp");
    const auto job = http.Get("/api/strata/jobs");
    ASSERT_TRUE(job);
    EXPECT_NE(job->body.find(R"("state":"finished")"), std::string::npos) << job->body;
    // The event was persisted (a stream starting from the beginning gets it); it follows the
    // video's row by a moment.
    const auto movie_done_stored = [this] {
        bool found = false;
        const std::uint64_t live = server_->events().subscribe(0, [&found](const Event& event) {
            found = found || event.type == "MovieDone";
            return !found;  // Read the stored events until it turns up.
        });
        if (live != 0) server_->events().unsubscribe(live);
        return found;
    };
    EXPECT_TRUE(eventually(movie_done_stored, 10.0));
}

}  // namespace
}  // namespace strata::server::test
