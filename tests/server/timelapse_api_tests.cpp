// A print's timelapse through the server: the virtual printer's webcam configured as a camera,
// a G-code uploaded with print=true, the print captured at every snapshot and rendered, and the
// video listed by GET /api/timelapse and served with Range, with a MovieDone event. Then the
// recording behind it: its frames and their metadata, a render with other settings, OctoPrint's
// unrendered timelapses once the videos are gone, and deleting the frames.
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
        const Status listening = webcam_->start("127.0.0.1", 0);
        ASSERT_TRUE(listening) << listening.error().message;
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
    ASSERT_NO_FATAL_FAILURE(upload_and_print_sample("cube.gcode"));
    httplib::Client http = client(viewer_key_);
    std::string body;
    ASSERT_TRUE(eventually(
        [&] {
            const auto answer = http.Get("/api/timelapse");
            if (!answer || answer->status != 200) return false;
            const rapidjson::Document listed = testing::parse_json(answer->body);
            return listed.IsObject() && testing::at(listed, "files").Size() == 1;
        },
        90.0));
    const rapidjson::Document listing = testing::parse_json(http.Get("/api/timelapse")->body);
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
    // The history names the job's video.
    const rapidjson::Document jobs = testing::parse_json(job->body);
    ASSERT_EQ(testing::at(jobs, "jobs.0.timelapses").Size(), 1U) << job->body;
    EXPECT_EQ(std::string(testing::at(jobs, "jobs.0.timelapses.0.name").GetString()), name);
    EXPECT_EQ(std::string(testing::at(jobs, "jobs.0.timelapses.0.url").GetString()),
              testing::at(video, "url").GetString());
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

// Stopping the server mid-print does not wait for a video (rendering the frames so far again, at
// their own frame rate, takes minutes on a Pi): the render is cancelled, no video or partial file
// is left, and the frames stay as an unrendered timelapse for a render later.
TEST_F(TimelapseApiTest, StoppingTheServerMidPrintKeepsTheFramesAndMakesNoVideo) {
    ASSERT_TRUE(connect_printer());
    ASSERT_NO_FATAL_FAILURE(upload_and_print_sample("cube.gcode"));
    const std::filesystem::path timelapses = directory_ / "timelapse";
    const auto frames_on_disk = [&] {
        std::size_t count = 0;
        std::error_code ignored;
        for (std::filesystem::recursive_directory_iterator it(timelapses / "frames", ignored), end;
             it != end; it.increment(ignored))
            count += it->path().extension() == ".jpg" ? 1 : 0;
        return count;
    };
    // 3 of the sample's 46 snapshots: well before the print ends.
    ASSERT_TRUE(eventually([&] { return frames_on_disk() >= 3; }, 60.0));
    server_.reset();
    for (const auto& entry : std::filesystem::directory_iterator(timelapses)) {
        const std::string extension = entry.path().extension().string();
        EXPECT_TRUE(extension != ".mp4" && extension != ".partial") << entry.path();
    }
    const std::size_t kept = frames_on_disk();
    EXPECT_GE(kept, 3u);

    restart_server();
    httplib::Client http = client(viewer_key_);
    const auto listing = http.Get("/api/timelapse?unrendered=true");
    ASSERT_TRUE(listing);
    rapidjson::Document document;
    document.Parse(listing->body.c_str());
    ASSERT_TRUE(document.IsObject()) << listing->body;
    EXPECT_EQ(testing::at(document, "files").Size(), 0u) << listing->body;
    ASSERT_EQ(testing::at(document, "unrendered").Size(), 1u) << listing->body;
    EXPECT_EQ(frames_on_disk(), kept);
}

class RecordingsApiTest : public TimelapseApiTest {
  protected:
    rapidjson::Document get_json(httplib::Client& http, const std::string& path) {
        rapidjson::Document document;
        const auto answer = http.Get(path);
        document.Parse(answer && answer->status == 200 ? answer->body.c_str() : "null");
        return document;
    }
    bool listed_video(httplib::Client& http, const std::string& name) {
        const auto answer = http.Get("/api/timelapse");
        return answer && answer->body.find("\"" + name + "\"") != std::string::npos;
    }
    // Prints the sample and waits for its video; returns the recording's name.
    std::string print_once(httplib::Client& http) {
        EXPECT_TRUE(connect_printer());
        const auto uploaded = upload(operator_key_, "cube.gcode", read_file(sample_gcode),
                                     {{"print", "true", "", ""}});
        EXPECT_TRUE(uploaded && uploaded->status == 201);
        rapidjson::Document recordings;
        EXPECT_TRUE(eventually(
            [&] {
                recordings = get_json(http, "/api/strata/recordings");
                return recordings.IsObject() && testing::at(recordings, "recordings").Size() == 1 &&
                       testing::at(recordings, "recordings.0").HasMember("video");
            },
            90.0));
        if (!recordings.IsObject() || testing::at(recordings, "recordings").Size() != 1) return "";
        return testing::at(recordings, "recordings.0.name").GetString();
    }
};

TEST_F(RecordingsApiTest, ARecordingsFramesAreListedServedRenderedAgainAndDeleted) {
    httplib::Client viewer = client(viewer_key_);
    httplib::Client operator_client = client(operator_key_);
    const std::string name = print_once(viewer);
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(name.substr(name.size() - 8), "_camera0");
    const std::string base = "/api/strata/recordings/" + name;

    // Every snapshot's frame, with the layer and height it was taken at, served as a JPEG.
    const rapidjson::Document frames = get_json(viewer, base + "/frames");
    ASSERT_TRUE(frames.IsObject());
    const rapidjson::Value& list = testing::at(frames, "frames");
    ASSERT_GT(list.Size(), 5U);
    EXPECT_GT(testing::at(list[1], "layer").GetInt64(), testing::at(list[0], "layer").GetInt64());
    EXPECT_GT(testing::at(list[list.Size() - 1], "z_mm").GetDouble(), 1.0);
    const auto jpeg = viewer.Get(testing::at(list[0], "url").GetString());
    ASSERT_TRUE(jpeg);
    EXPECT_EQ(jpeg->status, 200);
    EXPECT_EQ(jpeg->get_header_value("Content-Type"), "image/jpeg");
    EXPECT_EQ(jpeg->body.substr(0, 2), "\xFF\xD8");
    EXPECT_EQ(viewer.Get(base + "/frames/9999")->status, 404);
    EXPECT_EQ(viewer.Get(base + "/frames/x")->status, 400);
    EXPECT_EQ(viewer.Get("/api/strata/recordings/nothing/frames")->status, 404);

    // Rendered again as a GIF at 5 fps; a bad setting is refused by name, a viewer may not.
    const auto bad = operator_client.Post(base + "/render", R"({"fps":-1})", "application/json");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    const auto unknown =
        operator_client.Post(base + "/render", R"({"speed":2})", "application/json");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 400);
    EXPECT_NE(unknown->body.find(R"("field":"speed")"), std::string::npos) << unknown->body;
    EXPECT_EQ(viewer.Post(base + "/render", "{}", "application/json")->status, 403);
    const auto render = operator_client.Post(
        base + "/render", R"({"format":"gif","fps":5,"rotate":90})", "application/json");
    ASSERT_TRUE(render);
    ASSERT_EQ(render->status, 202) << render->body;
    ASSERT_TRUE(eventually([&] { return listed_video(viewer, name + ".gif"); }, 60.0));
    const auto gif = viewer.Get("/downloads/timelapse/" + name + ".gif");
    ASSERT_TRUE(gif);
    EXPECT_EQ(gif->body.substr(0, 4), "GIF8");

    // With both videos deleted the frames are an unrendered timelapse, rendered by OctoPrint's
    // command into the default MP4.
    for (const std::string extension : {".mp4", ".gif"})
        EXPECT_EQ(operator_client.Delete("/api/timelapse/" + (name + extension))->status, 200);
    const rapidjson::Document unrendered = get_json(viewer, "/api/timelapse?unrendered=true");
    ASSERT_TRUE(unrendered.IsObject());
    ASSERT_EQ(testing::at(unrendered, "unrendered").Size(), 1U);
    EXPECT_EQ(std::string(testing::at(unrendered, "unrendered.0.name").GetString()), name);
    EXPECT_FALSE(testing::at(unrendered, "unrendered.0.recording").GetBool());
    EXPECT_GT(testing::at(unrendered, "unrendered.0.bytes").GetInt64(), 1000);
    EXPECT_EQ(operator_client
                  .Post("/api/timelapse/unrendered/" + name, R"({"command":"render"})",
                        "application/json")
                  ->status,
              204);
    ASSERT_TRUE(eventually([&] { return listed_video(viewer, name + ".mp4"); }, 60.0));
    const rapidjson::Document rendered = get_json(viewer, "/api/timelapse?unrendered=true");
    EXPECT_EQ(testing::at(rendered, "unrendered").Size(), 0U);

    // Deleting the frames keeps the video.
    EXPECT_EQ(operator_client.Delete(base)->status, 204);
    EXPECT_EQ(testing::at(get_json(viewer, "/api/strata/recordings"), "recordings").Size(), 0U);
    EXPECT_TRUE(listed_video(viewer, name + ".mp4"));
    EXPECT_EQ(operator_client.Delete(base)->status, 404);
}

}  // namespace
}  // namespace strata::server::test

namespace strata::server::test {
namespace {

// The number of the file's last line with a command: where the job ends.
std::int64_t last_command_line(const std::string& text) {
    std::int64_t number = 0;
    std::int64_t last = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        ++number;
        const std::string code = line.substr(0, line.find(';'));
        if (code.find_first_not_of(" \t\r") != std::string::npos) last = number;
    }
    return last;
}

class TimelapseConfigTest : public TimelapseApiTest {
  protected:
    // The job's last line once it has finished.
    std::int64_t finished_job_last_line(httplib::Client& http) {
        std::int64_t last_line = -1;
        EXPECT_TRUE(eventually(
            [&] {
                const auto answer = http.Get("/api/strata/jobs");
                if (!answer || answer->body.find(R"("state":"finished")") == std::string::npos)
                    return false;
                last_line =
                    testing::at(testing::parse_json(answer->body), "jobs.0.last_line").GetInt64();
                return true;
            },
            90.0));
        return last_line;
    }
};

// GET /api/timelapse's listing; its `config` is what the tests read.
rapidjson::Document timelapse_listing(httplib::Client& http) {
    const auto answer = http.Get("/api/timelapse");
    return testing::parse_json(answer ? answer->body : "null");
}

TEST_F(TimelapseConfigTest, TheConfigurationIsOctoPrintsAndSavedOnlyWhenAsked) {
    httplib::Client admin = client(admin_key_);
    const rapidjson::Document defaults = timelapse_listing(admin);
    EXPECT_EQ(std::string(testing::at(defaults, "config.type").GetString()), "zchange");
    EXPECT_EQ(testing::at(defaults, "config.minDelay").GetDouble(), 5.0);

    const auto changed = admin.Post(
        "/api/timelapse", R"({"type":"timed","interval":2,"fps":10,"renderAfterPrint":"success"})",
        "application/json");
    ASSERT_TRUE(changed);
    ASSERT_EQ(changed->status, 200) << changed->body;
    const rapidjson::Document timed = timelapse_listing(admin);
    EXPECT_EQ(std::string(testing::at(timed, "config.type").GetString()), "timed");
    EXPECT_EQ(testing::at(timed, "config.interval").GetDouble(), 2.0);
    EXPECT_EQ(testing::at(timed, "config.fps").GetDouble(), 10.0);
    EXPECT_EQ(testing::at(timed, "config.postRoll").GetDouble(), 0.0);
    EXPECT_EQ(std::string(testing::at(timed, "config.renderAfterPrint").GetString()), "success");
    EXPECT_EQ(testing::find(timed, "config.minDelay"), nullptr);  // A zchange option.

    // OctoPrint's "<field> is invalid"; nothing changes.
    for (const char* body : {R"({"type":"zchange","fps":0})", R"({"type":"sometimes"})",
                             R"({"type":"timed","interval":-1})",
                             R"({"type":"zchange","renderAfterPrint":"later"})"}) {
        const auto refused = admin.Post("/api/timelapse", body, "application/json");
        ASSERT_TRUE(refused);
        EXPECT_EQ(refused->status, 400) << body;
        EXPECT_NE(refused->body.find("is invalid"), std::string::npos) << refused->body;
    }
    // Without `type` it is only the listing; an operator may not change it (TIMELAPSE_ADMIN).
    EXPECT_EQ(admin.Post("/api/timelapse", R"({"fps":5})", "application/json")->status, 200);
    EXPECT_EQ(testing::at(timelapse_listing(admin), "config.fps").GetDouble(), 10.0);
    EXPECT_EQ(client(operator_key_)
                  .Post("/api/timelapse", R"({"type":"off"})", "application/json")
                  ->status,
              403);

    // Not saved: a restart brings the defaults back. Saved: it stays.
    restart_server();  // On another port: a new client.
    httplib::Client restarted = client(admin_key_);
    EXPECT_EQ(std::string(testing::at(timelapse_listing(restarted), "config.type").GetString()),
              "zchange");
    ASSERT_EQ(restarted
                  .Post("/api/timelapse", "type=timed&interval=3&save=true",
                        "application/x-www-form-urlencoded")
                  ->status,
              200);
    restart_server();
    httplib::Client saved = client(admin_key_);
    const rapidjson::Document kept = timelapse_listing(saved);
    EXPECT_EQ(std::string(testing::at(kept, "config.type").GetString()), "timed");
    EXPECT_EQ(testing::at(kept, "config.interval").GetDouble(), 3.0);
    EXPECT_EQ(testing::at(kept, "config.fps").GetDouble(), 25.0);  // OctoPrint's default.
}

TEST_F(TimelapseConfigTest, OffPrintsTheUploadedFileAndCapturesNothing) {
    httplib::Client admin = client(admin_key_);
    ASSERT_EQ(admin.Post("/api/timelapse", R"({"type":"off"})", "application/json")->status, 200);
    ASSERT_TRUE(connect_printer());
    ASSERT_NO_FATAL_FAILURE(upload_and_print_sample("cube.gcode"));
    // The uploaded file's lines, not the prepared job's (which has its snapshot moves).
    EXPECT_EQ(finished_job_last_line(admin), last_command_line(read_file(sample_gcode)));
    const auto recordings = admin.Get("/api/strata/recordings");
    ASSERT_TRUE(recordings);
    EXPECT_EQ(testing::at(testing::parse_json(recordings->body), "recordings").Size(), 0U);
}

// Timed: frames every interval from the uploaded file's print; with renderAfterPrint "failure"
// a print that finishes gets no video, and its frames are an unrendered timelapse.
TEST_F(TimelapseConfigTest, TimedCapturesOnAClockAndTheRenderFollowsTheOutcome) {
    httplib::Client admin = client(admin_key_);
    ASSERT_EQ(
        admin
            .Post("/api/timelapse", R"({"type":"timed","interval":1,"renderAfterPrint":"failure"})",
                  "application/json")
            ->status,
        200);
    ASSERT_TRUE(connect_printer());
    ASSERT_NO_FATAL_FAILURE(upload_and_print_sample("cube.gcode"));
    EXPECT_EQ(finished_job_last_line(admin), last_command_line(read_file(sample_gcode)));
    const auto unrendered = [&] {
        const auto answer = admin.Get("/api/timelapse?unrendered=true");
        return testing::parse_json(answer ? answer->body : "null");
    };
    ASSERT_TRUE(eventually(
        [&] {
            const rapidjson::Document listing = unrendered();
            return listing.IsObject() && testing::at(listing, "unrendered").Size() == 1 &&
                   !testing::at(listing, "unrendered.0.recording").GetBool();
        },
        30.0));
    EXPECT_EQ(testing::at(unrendered(), "files").Size(), 0U);
    const rapidjson::Document recordings =
        testing::parse_json(admin.Get("/api/strata/recordings")->body);
    ASSERT_EQ(testing::at(recordings, "recordings").Size(), 1U);
    EXPECT_GE(testing::at(recordings, "recordings.0.frames").GetInt64(), 2);
    EXPECT_FALSE(testing::at(recordings, "recordings.0").HasMember("video"));
}

}  // namespace
}  // namespace strata::server::test
