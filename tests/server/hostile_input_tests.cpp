// What a hostile client sends, on a live server (issue 23's probe): each gets a clear 4xx and the
// server stays up for everyone else. Deeply nested JSON once overflowed RapidJSON's recursive
// parser and killed the process without credentials; thousands of large form fields once held
// over 140 MB.
#include <rapidjson/document.h>

#include <string>

#include "../support/loopback.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

using HostileInputTest = ServerTest;

TEST_F(HostileInputTest, DeeplyNestedJsonIsRefusedWithoutCredentials) {
    httplib::Client http = client();
    for (const std::size_t depth : {std::size_t{65}, std::size_t{150'000}}) {
        const std::string body(depth, '[');
        const auto login = http.Post("/api/login", body, "application/json");
        ASSERT_TRUE(login) << depth << " levels: the server is gone";
        EXPECT_EQ(login->status, 400) << login->body;
        EXPECT_NE(login->body.find("nested deeper than 64 levels"), std::string::npos)
            << login->body;
    }
    const std::string nested_object = R"({"user": "ada", "x": )" + std::string(100, '{');
    const auto object = http.Post("/api/login", nested_object, "application/json");
    ASSERT_TRUE(object);
    EXPECT_EQ(object->status, 400);
    // Brackets inside strings are text, not nesting.
    const std::string in_string = R"({"user": ")" + std::string(1000, '[') + R"(", "pass": "x"})";
    const auto text = http.Post("/api/login", in_string, "application/json");
    ASSERT_TRUE(text);
    EXPECT_EQ(text->status, 403) << text->body;  // A wrong login, read as one.
    const auto version = client(admin_key_).Get("/api/version");
    ASSERT_TRUE(version);
    EXPECT_EQ(version->status, 200);
}

TEST_F(HostileInputTest, DeeplyNestedProfilesAreRefusedByName) {
    httplib::Client http = client(admin_key_);
    const std::string body = R"({"name": "top", "snapshot_url": )" + std::string(200'000, '[');
    const auto put = http.Put("/api/strata/profiles/camera/top", body, "application/json");
    ASSERT_TRUE(put) << "the server is gone";
    EXPECT_EQ(put->status, 400) << put->body;
    EXPECT_NE(put->body.find("nested deeper"), std::string::npos) << put->body;
}

// Found by fuzz/api_bodies: RapidJSON ends the text at a NUL, so `{}` NUL `garbage` passed as
// `{}` and the whole body, garbage and all, was stored and then embedded in every answer.
TEST_F(HostileInputTest, ABodyWithANulByteIsRefused) {
    httplib::Client http = client(admin_key_);
    const std::string body("{}\0\x01garbage\"", 12);
    for (const char* path : {"/api/strata/profiles/printer/p", "/api/strata/profiles/timelapse/t",
                             "/api/strata/profiles/camera/c"}) {
        const auto put = http.Put(path, body, "application/json");
        ASSERT_TRUE(put);
        EXPECT_EQ(put->status, 400) << path << ": " << put->body;
        EXPECT_NE(put->body.find("NUL"), std::string::npos) << put->body;
    }
    const auto job =
        http.Post("/api/job", std::string("{\"command\":\"start\"}\0x", 21), "application/json");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->status, 400) << job->body;
    const auto listed = http.Get("/api/strata/profiles/printer");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->body, R"({"profiles":[]})");
}

// Also found by fuzz/api_bodies: RapidJSON 1.1.0 passes over a stray 0xBF before the value, and
// does not check UTF-8 unless told to; a stored profile keeps its text as sent.
TEST_F(HostileInputTest, AProfileWithStrayBytesOrBadUtf8IsRefused) {
    httplib::Client http = client(admin_key_);
    for (const std::string& body : {std::string("\xBF{}"), std::string("\xEF\xBB\xBF{}"),
                                    std::string("{\"port\":\"\xFF\"}")}) {
        for (const char* path :
             {"/api/strata/profiles/printer/p", "/api/strata/profiles/timelapse/t"}) {
            const auto put = http.Put(path, body, "application/json");
            ASSERT_TRUE(put);
            EXPECT_EQ(put->status, 400) << path << ": " << put->body;
        }
    }
    const auto listed = http.Get("/api/strata/profiles/timelapse");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->body, R"({"profiles":[]})");
}

TEST_F(HostileInputTest, FormFieldsAreCappedInNumberAndInAll) {
    httplib::Client http = client(admin_key_);
    httplib::MultipartFormDataItems many;
    for (int i = 0; i < 40; ++i)
        many.push_back({"field" + std::to_string(i), "x", "", ""});
    many.push_back({"file", "G1 X1\n", "a.gcode", "application/octet-stream"});
    const auto too_many = http.Post("/api/files/local", many);
    ASSERT_TRUE(too_many);
    EXPECT_EQ(too_many->status, 400);
    EXPECT_NE(too_many->body.find("more than 32 form fields"), std::string::npos) << too_many->body;

    httplib::MultipartFormDataItems large;
    for (int i = 0; i < 6; ++i)
        large.push_back(
            {"field" + std::to_string(i), std::string(std::size_t{60} * 1024, 'a'), "", ""});
    large.push_back({"file", "G1 X1\n", "a.gcode", "application/octet-stream"});
    const auto too_large = http.Post("/api/files/local", large);
    ASSERT_TRUE(too_large);
    EXPECT_EQ(too_large->status, 400);
    EXPECT_NE(too_large->body.find("in all (at 'field4')"), std::string::npos) << too_large->body;

    // What OctoPrint's clients send still goes in.
    const httplib::MultipartFormDataItems normal = {
        {"select", "true", "", ""},
        {"path", "", "", ""},
        {"file", "G1 X1\n", "ok.gcode", "application/octet-stream"}};
    const auto stored = http.Post("/api/files/local", normal);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, 201) << stored->body;
}

// A camera's password is write-only: nobody reads it back (a viewer least of all), a profile read
// and saved back as shown keeps it, and an empty one clears it. The settings clients read show
// data paths and the serial device to admins only.
TEST_F(HostileInputTest, SecretsAreWriteOnlyAndPathsAdminOnly) {
    httplib::Client admin = client(admin_key_);
    const std::string path = "/api/strata/profiles/camera/top";
    const auto created =
        admin.Put(path, R"({"url":"http://cam/snap","username":"u","password":"hunter2"})",
                  "application/json");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201) << created->body;
    EXPECT_EQ(created->body.find("hunter2"), std::string::npos) << created->body;
    for (const std::string& key : {viewer_key_, admin_key_}) {
        const auto one = client(key).Get(path);
        ASSERT_TRUE(one);
        EXPECT_EQ(one->body.find("hunter2"), std::string::npos) << one->body;
        EXPECT_NE(one->body.find(R"("password_set":true)"), std::string::npos) << one->body;
        const auto listed = client(key).Get("/api/strata/profiles/camera");
        ASSERT_TRUE(listed);
        EXPECT_EQ(listed->body.find("hunter2"), std::string::npos) << listed->body;
    }
    // Saved back as shown (with the flag, without the secret): the password stays.
    const auto shown = admin.Get(path);
    const std::size_t at = shown->body.find(R"("settings":)");
    ASSERT_NE(at, std::string::npos);
    const std::string settings = shown->body.substr(at + 11, shown->body.size() - at - 12);
    const auto saved = admin.Put(path, settings, "application/json");
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->status, 200) << saved->body << " for " << settings;
    EXPECT_NE(saved->body.find(R"("password_set":true)"), std::string::npos) << saved->body;
    const auto cleared =
        admin.Put(path, R"({"url":"http://cam/snap","password":""})", "application/json");
    ASSERT_TRUE(cleared);
    EXPECT_NE(cleared->body.find(R"("password_set":false)"), std::string::npos) << cleared->body;

    const auto for_viewer = client(viewer_key_).Get("/api/settings");
    ASSERT_TRUE(for_viewer);
    EXPECT_EQ(for_viewer->status, 200);
    EXPECT_EQ(for_viewer->body.find(directory_.string()), std::string::npos) << for_viewer->body;
    EXPECT_EQ(for_viewer->body.find(printer_->path()), std::string::npos) << for_viewer->body;
    const auto for_admin = client(admin_key_).Get("/api/settings");
    ASSERT_TRUE(for_admin);
    EXPECT_NE(for_admin->body.find(directory_.string()), std::string::npos) << for_admin->body;
}

// A file name that is not UTF-8 is refused by name; the listing every client reads stays JSON.
TEST_F(HostileInputTest, AFileNameThatIsNotUtf8IsRefused) {
    httplib::Client http = client(admin_key_);
    const httplib::MultipartFormDataItems latin1 = {
        {"file", "G1 X1\n", "caf\xe9.gcode", "application/octet-stream"}};
    const auto refused = http.Post("/api/files/local", latin1);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400);
    EXPECT_NE(refused->body.find("not valid UTF-8"), std::string::npos) << refused->body;
    EXPECT_NE(refused->body.find("caf\xef\xbf\xbd.gcode"), std::string::npos) << refused->body;
    const httplib::MultipartFormDataItems utf8 = {
        {"file", "G1 X1\n", "W\xc3\xbcrfel.gcode", "application/octet-stream"}};
    const auto stored = http.Post("/api/files/local", utf8);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, 201) << stored->body;
    const auto listing = http.Get("/api/files");
    ASSERT_TRUE(listing);
    rapidjson::Document document;
    document.Parse(listing->body.c_str());
    EXPECT_FALSE(document.HasParseError()) << listing->body;
    EXPECT_NE(listing->body.find("W\xc3\xbcrfel.gcode"), std::string::npos);
}

// Answers that carry tokens or secrets are never cached; a webhook's events are stored as sent
// (a list once became "*", every event), and what is neither a list nor a string is refused.
TEST_F(HostileInputTest, TokensAreNotCachedAndWebhookEventsAreStoredAsSent) {
    httplib::Client http = client();
    const auto login = http.Post(
        "/api/login", R"({"user":"ada","pass":")" + admin_password_ + R"("})", "application/json");
    ASSERT_TRUE(login);
    ASSERT_EQ(login->status, 200) << login->body;
    EXPECT_EQ(login->get_header_value("Cache-Control"), "no-store");
    httplib::Client admin = client(admin_key_);
    const auto listed = admin.Post(
        "/api/strata/webhooks", R"({"url":"http://127.0.0.1:9/h","events":["PrintDone","Error"]})",
        "application/json");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->status, 201) << listed->body;
    EXPECT_NE(listed->body.find(R"("events":"PrintDone,Error")"), std::string::npos)
        << listed->body;
    EXPECT_EQ(listed->get_header_value("Cache-Control"), "no-store");
    for (const char* bad : {R"({"url":"http://127.0.0.1:9/h","events":42})",
                            R"({"url":"http://127.0.0.1:9/h","events":["a,b"]})"}) {
        const auto refused = admin.Post("/api/strata/webhooks", bad, "application/json");
        ASSERT_TRUE(refused);
        EXPECT_EQ(refused->status, 400) << bad;
        EXPECT_NE(refused->body.find("events"), std::string::npos) << refused->body;
    }
}

// The Host header goes into Location and `refs` only when it is a plain host and port.
TEST_F(HostileInputTest, AHostHeaderWithMarkupIsNotReflected) {
    httplib::Client http = client(admin_key_);
    const httplib::MultipartFormDataItems form = {
        {"file", "G1 X1\n", "host.gcode", "application/octet-stream"}};
    httplib::Headers planted = {{"Host", "evil\"><script>x</script>"}};
    const auto answer = http.Post("/api/files/local", planted, form);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 201) << answer->body;
    EXPECT_EQ(answer->body.find("script"), std::string::npos) << answer->body;
    EXPECT_EQ(answer->get_header_value("Location"), "http://127.0.0.1/api/files/local/host.gcode");
}

// As OctoPrint does, a connect may name only a port the server offers: a body could otherwise
// have the server (often root) open any file or device as its printer.
TEST_F(HostileInputTest, AConnectNamingAPortNotOfferedIsRefused) {
    httplib::Client http = client(operator_key_);
    for (const char* port : {"/etc/shadow", "/dev/sda", "tcp://192.0.2.1:23"}) {
        const auto refused = http.Post(
            "/api/connection", std::string(R"({"command":"connect","port":")") + port + "\"}",
            "application/json");
        ASSERT_TRUE(refused);
        EXPECT_EQ(refused->status, 400) << port;
        EXPECT_NE(refused->body.find("port"), std::string::npos) << refused->body;
    }
    EXPECT_FALSE(server_->printer().operational());
    // The configured port is offered, listed and taken.
    const auto listed = http.Get("/api/connection");
    ASSERT_TRUE(listed);
    EXPECT_NE(listed->body.find(config_.printer.streamer.link.target), std::string::npos);
    const auto taken =
        http.Post("/api/connection",
                  R"({"command":"connect","port":")" + config_.printer.streamer.link.target + "\"}",
                  "application/json");
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->status, 204) << taken->body;
    EXPECT_TRUE(eventually([&] { return server_->printer().operational(); }));
}

// A small upload limit and an impossible disk reserve, set per test.
class UploadLimitTest : public ServerTest {
  protected:
    void configure(ServerConfig& config) override {
        config.max_upload_bytes = 4096;
        if (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())
                .starts_with("ADiskWithoutRoom"))
            config.upload_free_reserve_bytes = std::uint64_t{1} << 60U;  // An exabyte.
    }

    // The raw answer to an upload whose head declares `declared` bytes and asks to be told
    // before the body is sent, as curl (PrusaSlicer, Cura) does for large bodies.
    [[nodiscard]] std::string answer_before_body(std::uint64_t declared) const {
        const int fd = testing::connect_loopback(server_->port());
        EXPECT_GE(fd, 0);
        const std::string head =
            "POST /api/files/local HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + admin_key_ +
            "\r\nContent-Type: multipart/form-data; boundary=B\r\n"
            "Expect: 100-continue\r\nContent-Length: " +
            std::to_string(declared) + "\r\n\r\n";
        EXPECT_EQ(::send(fd, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
        std::string answer = testing::read_until_closed(fd);
        ::close(fd);
        return answer;
    }
};

TEST_F(UploadLimitTest, AnUploadOverTheLimitIsRefusedBeforeItsBodyOrAsItComes) {
    const std::string refused = answer_before_body(std::uint64_t{10} << 20U);
    EXPECT_EQ(refused.rfind("HTTP/1.1 413", 0), 0U) << refused;
    EXPECT_EQ(refused.find("100 Continue"), std::string::npos) << refused;
    // Within the limit: stored.
    const auto small = upload(admin_key_, "small.gcode", "G28\nG1 X10 Y10\n");
    ASSERT_TRUE(small);
    EXPECT_EQ(small->status, 201) << small->body;
    // Over it, with a length the client does not declare (chunked): refused as it comes.
    httplib::Client http = client(admin_key_);
    const std::string large(8192, 'G');
    const auto chunked = http.Post(
        "/api/files/local",
        [&](std::size_t offset, httplib::DataSink& sink) {
            const std::string head =
                "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.gcode\"\r\n"
                "\r\n";
            if (offset == 0) sink.write(head.data(), head.size());
            sink.write(large.data(), large.size());
            sink.write("\r\n--B--\r\n", 9);
            sink.done();
            return true;
        },
        "multipart/form-data; boundary=B");
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->status, 413) << chunked->body;
    const auto listed = http.Get("/api/files");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->body.find("big.gcode"), std::string::npos);
}

TEST_F(UploadLimitTest, ADiskWithoutRoomForTheUploadAndItsJobRefusesIt) {
    const std::string refused = answer_before_body(2000);
    EXPECT_EQ(refused.rfind("HTTP/1.1 507", 0), 0U) << refused;
    EXPECT_NE(refused.find("disk space"), std::string::npos) << refused;
}

}  // namespace
}  // namespace strata::server::test
