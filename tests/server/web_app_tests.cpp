// The web app as the server serves it over real HTTP: the built-in copy (index.html revalidated
// by ETag, hashed assets cached for good, gzip only when accepted, the app's pages answered with
// index.html, a CSP without 'unsafe-inline'), the API's paths never answered with the app, and a
// folder served instead with --web-root. A browser session survives a reload: a passive login on
// its cookie gives the same session and CSRF token again.
#include <zlib.h>

#include <regex>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"
#include "strata/web/assets.hpp"

namespace strata::server::test {
namespace {

std::string gunzip(const std::string& compressed) {
    std::string out(1 << 22, '\0');
    z_stream stream{};
    EXPECT_EQ(inflateInit2(&stream, 16 + MAX_WBITS), Z_OK);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
    out.resize(stream.total_out);
    inflateEnd(&stream);
    return out;
}

class WebAppTest : public ServerTest {
  protected:
    void SetUp() override {
        // Built with the app (the default), the table must hold it; only a build configured
        // without it (STRATA_WEB_UI=OFF, no Node at hand) has nothing here to test.
        if (STRATA_WEB_UI_BUILT) {
            ASSERT_FALSE(web::embedded_assets().empty()) << "the web app was not embedded";
        } else if (web::embedded_assets().empty()) {
            GTEST_SKIP() << "configured with STRATA_WEB_UI=OFF";
        }
        ServerTest::SetUp();
    }
    [[nodiscard]] httplib::Client browser() const {
        httplib::Client http = client();
        http.set_decompress(false);
        return http;
    }
    // The script index.html loads: /assets/index-<hash>.js.
    std::string script_path() {
        const auto index = browser().Get("/");
        std::smatch found;
        static const std::regex script(R"re(src="(/assets/[^"]+\.js)")re");
        if (!index || !std::regex_search(index->body, found, script)) return {};
        return found[1];
    }
};

TEST_F(WebAppTest, IndexIsRevalidatedAndCarriesAStrictPolicy) {
    httplib::Client http = browser();
    const auto index = http.Get("/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(index->body.find("<div id=\"app\">"), std::string::npos);
    EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");
    const std::string policy = index->get_header_value("Content-Security-Policy");
    EXPECT_NE(policy.find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(index->body.find("<script>"), std::string::npos);  // Nothing inline to allow.
    const std::string etag = index->get_header_value("ETag");
    ASSERT_FALSE(etag.empty());
    const auto again = http.Get("/", {{"If-None-Match", etag}});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 304);
    EXPECT_TRUE(again->body.empty());
    const auto changed = http.Get("/", {{"If-None-Match", "\"something-else\""}});
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, 200);
}

TEST_F(WebAppTest, HashedAssetsAreImmutableAndGzippedOnlyWhenAccepted) {
    const std::string script = script_path();
    ASSERT_FALSE(script.empty());
    httplib::Client http = browser();
    const auto zipped = http.Get(script, {{"Accept-Encoding", "gzip, deflate, br"}});
    ASSERT_TRUE(zipped);
    EXPECT_EQ(zipped->status, 200);
    EXPECT_EQ(zipped->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(zipped->get_header_value("Content-Encoding"), "gzip");
    EXPECT_EQ(zipped->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(zipped->get_header_value("Vary"), "Accept-Encoding");
    const auto plain = http.Get(script, {{"Accept-Encoding", "identity"}});
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->status, 200);
    EXPECT_FALSE(plain->has_header("Content-Encoding"));
    EXPECT_GT(plain->body.size(), zipped->body.size() * 2);  // Minified JS compresses well.
    EXPECT_EQ(gunzip(zipped->body), plain->body);
    EXPECT_NE(plain->get_header_value("ETag"), zipped->get_header_value("ETag"));
    const auto refused = http.Get(script, {{"Accept-Encoding", "gzip;q=0, identity"}});
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->has_header("Content-Encoding"));
}

TEST_F(WebAppTest, TheAppsPagesAnswerWithIndexButTheApiAndMissingFilesDoNot) {
    httplib::Client http = browser();
    const auto index = http.Get("/");
    ASSERT_TRUE(index);
    // A file's own page has the file's name, extension and all.
    for (const char* page :
         {"/files", "/history", "/files/some/folder", "/files/parts/cube%20v2.gcode"}) {
        const auto answer = http.Get(page);
        ASSERT_TRUE(answer) << page;
        EXPECT_EQ(answer->status, 200) << page;
        EXPECT_EQ(answer->body, index->body) << page;
    }
    for (const char* path : {"/api/no-such-thing", "/downloads/nothing", "/sockjs/nothing",
                             "/missing.js", "/assets/missing-1234.css"}) {
        const auto answer = http.Get(path);
        ASSERT_TRUE(answer) << path;
        EXPECT_EQ(answer->status, 404) << path;
        EXPECT_EQ(answer->body.find("<div id=\"app\">"), std::string::npos) << path;
    }
    // The API stays behind its credentials: the app's route is public, the API's are not.
    const auto job = http.Get("/api/job");
    ASSERT_TRUE(job);
    EXPECT_EQ(job->status, 403);  // OctoPrint's answer to its anonymous user.
    const auto jobs = http.Get("/api/strata/jobs");
    ASSERT_TRUE(jobs);
    EXPECT_EQ(jobs->status, 401);
}

class WebRootTest : public ServerTest {
  protected:
    void configure(ServerConfig& config) override {
        web_root_ = directory_.string() + "_web";
        std::filesystem::create_directories(web_root_ + "/assets");
        std::ofstream(web_root_ + "/index.html") << "<!doctype html><p>under development</p>";
        std::ofstream(web_root_ + "/assets/app.js") << "console.log(1);";
        config.web_root = web_root_;
    }
    void TearDown() override {
        ServerTest::TearDown();
        std::filesystem::remove_all(web_root_);
    }
    std::string web_root_;
};

TEST_F(WebRootTest, AFolderIsServedAsItIsAndChangesShowAtOnce) {
    httplib::Client http = client();
    http.set_decompress(false);
    const auto index = http.Get("/files");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_NE(index->body.find("under development"), std::string::npos);
    const auto script = http.Get("/assets/app.js", {{"Accept-Encoding", "gzip"}});
    ASSERT_TRUE(script);
    EXPECT_EQ(script->body, "console.log(1);");
    EXPECT_FALSE(script->has_header("Content-Encoding"));
    EXPECT_EQ(script->get_header_value("Cache-Control"), "no-cache");
    const std::string etag = script->get_header_value("ETag");
    std::ofstream(web_root_ + "/assets/app.js") << "console.log(22);";
    const auto rebuilt = http.Get("/assets/app.js", {{"If-None-Match", etag}});
    ASSERT_TRUE(rebuilt);
    EXPECT_EQ(rebuilt->status, 200);
    EXPECT_EQ(rebuilt->body, "console.log(22);");
    for (const char* escape : {"/../strata.db", "/assets/../../strata.db", "/%2e%2e/strata.db"}) {
        const auto answer = http.Get(escape);
        ASSERT_TRUE(answer) << escape;
        EXPECT_NE(answer->status, 200) << escape;
    }
}

TEST_F(WebAppTest, AReloadedPageKeepsItsSessionAndCsrfToken) {
    httplib::Client http = client();
    const auto login = http.Post(
        "/api/login", R"({"user":"ada","pass":")" + admin_password_ + R"("})", "application/json");
    ASSERT_TRUE(login);
    ASSERT_EQ(login->status, 200) << login->body;
    const std::string cookie = login->get_header_value("Set-Cookie");
    const std::string session = cookie.substr(0, cookie.find(';'));
    httplib::Client reloaded = client();
    const auto passive = reloaded.Post("/api/login", {{"Cookie", session}}, R"({"passive":true})",
                                       "application/json");
    ASSERT_TRUE(passive);
    ASSERT_EQ(passive->status, 200) << passive->body;
    rapidjson::Document first;
    rapidjson::Document second;
    first.Parse(login->body.c_str());
    second.Parse(passive->body.c_str());
    EXPECT_EQ(std::string(testing::at(second, "csrf_token").GetString()),
              testing::at(first, "csrf_token").GetString());
    EXPECT_EQ(std::string(testing::at(second, "session").GetString()),
              testing::at(first, "session").GetString());
    // And the token works for a change made with that cookie.
    const auto logout = reloaded.Post(
        "/api/logout",
        {{"Cookie", session}, {"X-CSRF-Token", testing::at(second, "csrf_token").GetString()}}, "",
        "application/json");
    ASSERT_TRUE(logout);
    EXPECT_EQ(logout->status, 204);
}

}  // namespace
}  // namespace strata::server::test
