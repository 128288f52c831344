// The API's security on a live server: every route in the table refuses a caller without
// credentials (401) or with a bad key (401), every route above viewer refuses a viewer (403),
// sessions need their CSRF token for changes, failed logins are limited, the OpenAPI document
// lists exactly the table's routes.
#include <rapidjson/document.h>

#include <set>

#include "../support/json_at.hpp"
#include "../support/route_paths.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

httplib::Result call(httplib::Client& http, const RouteDescription& route,
                     const httplib::Headers& headers = {}) {
    const std::string path = testing::concrete_path(route.pattern);
    if (route.method == "GET") return http.Get(path, headers);
    if (route.method == "DELETE") return http.Delete(path, headers);
    if (route.method == "PUT") return http.Put(path, headers, "{}", "application/json");
    if (route.method == "PATCH") return http.Patch(path, headers, "{}", "application/json");
    return http.Post(path, headers, "{}", "application/json");
}

using ServerAuthTest = ServerTest;

// strata's own routes, which say 401 for missing or bad credentials (README: "Credentials").
bool strata_own(const RouteDescription& route) {
    return route.pattern.starts_with("/api/strata/") || route.pattern == "/api/events" ||
           route.pattern == "/api/openapi.json";
}

TEST_F(ServerAuthTest, EveryRouteRefusesACallerWithoutCredentials) {
    const std::vector<RouteDescription> routes = describe_routes();
    ASSERT_GT(routes.size(), 30U);
    httplib::Client http = client();
    int anyone = 0;
    for (const RouteDescription& route : routes) {
        const auto result = call(http, route);
        ASSERT_TRUE(result) << route.method << " " << route.pattern;
        if (route.role == "anyone") {
            ++anyone;
            EXPECT_NE(result->status, 401) << route.pattern;
            continue;
        }
        // OctoPrint's routes answer as OctoPrint does (403, its text); strata's own say 401.
        EXPECT_EQ(result->status, strata_own(route) ? 401 : 403)
            << route.method << " " << route.pattern;
        EXPECT_NE(result->body.find("credentials"), std::string::npos) << result->body;
        if (!strata_own(route)) {
            EXPECT_NE(result->body.find("You don't have the permission"), std::string::npos);
        }
    }
    // Login, logout, the web app (its root and its files), the push API's socket (which
    // carries nothing before its client authenticates in it: /sockjs/info and two sockets) and
    // the app-key workflow's probe, request and poll, and /online.txt.
    EXPECT_EQ(anyone, 11);
}

TEST_F(ServerAuthTest, EveryRouteRefusesABadKeyAndTooSmallARole) {
    httplib::Client bad = client("not-a-key");
    httplib::Client viewer = client(viewer_key_);
    for (const RouteDescription& route : describe_routes()) {
        if (route.role == "anyone") continue;
        const auto refused = call(bad, route);
        ASSERT_TRUE(refused);
        EXPECT_EQ(refused->status, strata_own(route) ? 401 : 403) << route.pattern;
        EXPECT_NE(refused->body.find("invalid API key"), std::string::npos) << refused->body;
        if (route.pattern == "/api/events") continue;  // Allowed, and never ends: see below.
        const auto as_viewer = call(viewer, route);
        ASSERT_TRUE(as_viewer);
        if (route.role == "viewer")
            EXPECT_NE(as_viewer->status, 403) << route.method << " " << route.pattern;
        else
            EXPECT_EQ(as_viewer->status, 403) << route.method << " " << route.pattern;
    }
    // The same key in the other places OctoPrint looks for it.
    httplib::Client anonymous = client();
    const auto by_query = anonymous.Get("/api/version?apikey=" + viewer_key_);
    ASSERT_TRUE(by_query);
    EXPECT_EQ(by_query->status, 200);
    const auto by_bearer =
        anonymous.Get("/api/version", {{"Authorization", "Bearer " + viewer_key_}});
    ASSERT_TRUE(by_bearer);
    EXPECT_EQ(by_bearer->status, 200);
    // An operator may not manage webhooks.
    const auto hooks = client(operator_key_).Get("/api/strata/webhooks");
    ASSERT_TRUE(hooks);
    EXPECT_EQ(hooks->status, 403);
}

TEST_F(ServerAuthTest, ASessionCookieWorksAndNeedsItsCsrfTokenForChanges) {
    httplib::Client http = client();
    const auto login = http.Post(
        "/api/login", R"({"user":"ada","pass":")" + admin_password_ + R"(","remember":true})",
        "application/json");
    ASSERT_TRUE(login);
    ASSERT_EQ(login->status, 200) << login->body;
    const std::string cookie = login->get_header_value("Set-Cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    rapidjson::Document body;
    body.Parse(login->body.c_str());
    ASSERT_TRUE(body.IsObject());
    const std::string csrf = testing::at(body, "csrf_token").GetString();
    const std::string token = cookie.substr(15, cookie.find(';') - 15);
    const httplib::Headers session = {{"Cookie", "strata_session=" + token}};
    const auto job = http.Get("/api/job", session);
    ASSERT_TRUE(job);
    EXPECT_EQ(job->status, 200);
    const auto forged =
        http.Post("/api/connection", session, R"({"command":"disconnect"})", "application/json");
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 403);
    EXPECT_NE(forged->body.find("CSRF"), std::string::npos);
    httplib::Headers with_token = session;
    with_token.emplace("X-CSRF-Token", csrf);
    const auto allowed =
        http.Post("/api/connection", with_token, R"({"command":"disconnect"})", "application/json");
    ASSERT_TRUE(allowed);
    EXPECT_EQ(allowed->status, 204);
    const auto logout = http.Post("/api/logout", with_token, "", "application/json");
    ASSERT_TRUE(logout);
    EXPECT_EQ(logout->status, 204);
    const auto after = http.Get("/api/job", session);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 403);  // An ended session is OctoPrint's anonymous user.
    EXPECT_NE(after->body.find("the session has ended"), std::string::npos) << after->body;
}

TEST_F(ServerAuthTest, FailedLoginsAreLimitedPerClient) {
    httplib::Client http = client();
    std::vector<int> statuses;
    for (int i = 0; i < 5; ++i) {
        const auto result =
            http.Post("/api/login", R"({"user":"ada","pass":"wrong"})", "application/json");
        ASSERT_TRUE(result);
        statuses.push_back(result->status);
    }
    EXPECT_EQ(statuses, (std::vector<int>{403, 403, 403, 429, 429}));
    // Even the right password waits out the limit.
    const auto right = http.Post(
        "/api/login", R"({"user":"ada","pass":")" + admin_password_ + R"("})", "application/json");
    ASSERT_TRUE(right);
    EXPECT_EQ(right->status, 429);
}

TEST_F(ServerAuthTest, TheOpenApiDocumentListsExactlyTheRoutes) {
    const auto result = client(viewer_key_).Get("/api/openapi.json");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200);
    rapidjson::Document document;
    document.Parse(result->body.c_str());
    ASSERT_TRUE(document.IsObject() && document.HasMember("paths"));
    std::set<std::string> documented;
    for (const auto& path : testing::at(document, "paths").GetObject())
        for (const auto& method : path.value.GetObject())
            documented.insert(std::string(method.name.GetString()) + " " + path.name.GetString());
    std::set<std::string> served;
    for (const RouteDescription& route : describe_routes()) {
        std::string method = route.method;
        for (char& c : method)
            c = static_cast<char>(std::tolower(c));
        std::string pattern = route.pattern;
        if (const std::size_t star = pattern.find("*}"); star != std::string::npos)
            pattern.erase(star, 1);
        method += " ";
        method += pattern;
        served.insert(method);
    }
    EXPECT_EQ(documented, served);
}

class ServerWithoutAdminTest : public ::testing::Test {};

TEST_F(ServerWithoutAdminTest, RefusesToStartBeforeAnAdminExists) {
    const std::filesystem::path directory = testing::test_directory("server_no_admin");
    std::filesystem::remove_all(directory);
    ServerConfig config;
    config.data_directory = directory;
    config.http.port = 0;
    Server server(config);
    const Status refused = server.start();
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("strata user add NAME --admin"), std::string::npos)
        << refused.error().message;
    server.stop();
    std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace strata::server::test
