// The event log on a real store: ids grow, a reconnecting client gets exactly the events after
// its Last-Event-ID, trimming keeps the newest, and an id is never handed out twice, even after
// every event was trimmed and the store reopened.
#include <gtest/gtest.h>

#include <filesystem>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/server/event_log.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::server;

TEST(EventLog, ResumesAfterTheLastIdAndNeverReusesOne) {
    const fs::path directory = strata::testing::test_directory("strata_events_");
    fs::create_directories(directory);
    std::int64_t last = 0;
    {
        Database db;
        ASSERT_TRUE(strata::testing::ok(db.open(directory / "strata.db")));
        EventLog log(db);
        for (int i = 1; i <= 5; ++i) {
            const auto id =
                log.append("PrintProgress", "{\"n\":" + std::to_string(i) + "}", 100.0 + i);
            ASSERT_TRUE(strata::testing::ok(id));
            EXPECT_GT(*id, last);
            last = *id;
        }
        const std::vector<Event> missed = log.after(last - 3, 100);
        ASSERT_EQ(missed.size(), 3u);
        EXPECT_EQ(missed[0].id, last - 2);
        EXPECT_EQ(missed[0].payload_json, "{\"n\":3}");
        EXPECT_EQ(missed[2].type, "PrintProgress");
        EXPECT_DOUBLE_EQ(missed[2].at_s, 105.0);
        EXPECT_EQ(log.after(0, 2).size(), 2u);
        EXPECT_TRUE(log.after(last, 100).empty());
        EXPECT_EQ(log.trim(2), 3);
        const std::vector<Event> kept = log.after(0, 100);
        ASSERT_EQ(kept.size(), 2u);
        EXPECT_EQ(kept[0].id, last - 1);
        EXPECT_EQ(log.trim(0), 2);
    }
    Database db;
    ASSERT_TRUE(strata::testing::ok(db.open(directory / "strata.db")));
    EventLog log(db);
    const auto next = log.append("Connected", "{}", 200.0);
    ASSERT_TRUE(strata::testing::ok(next));
    EXPECT_GT(*next, last);  // A client resuming from `last` must not miss this one.
    fs::remove_all(directory);
}

}  // namespace
