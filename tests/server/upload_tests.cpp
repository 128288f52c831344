// Uploads at the edges, on a live server: empty, not G-code (by name and by content), duplicate
// names, path traversal, an upload cut off mid-body, Expect: 100-continue, a 1 GB upload
// streamed from the client, a disk that fills mid-upload, and a prepared job's way to the disk
// across a crash. Each ends with a clear status and nothing half-written: the uploads folder is
// empty afterwards and nothing lands outside the data directory.
#include <sys/socket.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <array>
#include <cstdio>

#include "../support/file_faults.hpp"
#include "../support/loopback.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

class UploadTest : public ServerTest {
  protected:
    // The gigabyte test's file is a few bytes over OctoPrint's 1 GB default limit.
    void configure(ServerConfig& config) override {
        config.max_upload_bytes = std::uint64_t{2} << 30U;
    }

    // What an upload of `content` named `name` gets: the status and the error, if any.
    std::pair<int, std::string> try_upload(const std::string& name, const std::string& content,
                                           httplib::MultipartFormDataItems extra = {}) {
        const auto result = upload(operator_key_, name, content, std::move(extra));
        if (!result) return {0, "no answer"};
        return {result->status, result->body};
    }

    [[nodiscard]] bool uploads_folder_empty() const {
        return std::filesystem::is_empty(directory_ / "uploads");
    }

    [[nodiscard]] std::size_t stored_files() const { return server_->library().list().size(); }

    [[nodiscard]] int raw_socket() const { return testing::connect_loopback(server_->port()); }

    // Straight from the SQLite file (WAL: a second connection reads beside the server's).
    [[nodiscard]] std::int64_t query_int(const std::string& sql_text,
                                         const std::string& text_parameter = "") const {
        Database db;
        if (!db.open(directory_ / "strata.db")) return -1;
        Statement select = db.prepare(sql_text);
        if (!select.valid()) return -1;
        if (!text_parameter.empty()) select.bind(1, text_parameter);
        return select.step() == Statement::Step::row ? select.int64(0) : -1;
    }
    [[nodiscard]] bool sql(const std::string& sql_text) const {
        Database db;
        if (!db.open(directory_ / "strata.db")) return false;
        Statement statement = db.prepare(sql_text);
        return statement.run().ok();
    }
    [[nodiscard]] std::int64_t job_synced(const std::string& path) const {
        return query_int("SELECT job_synced FROM files WHERE path = ? AND state = 'ready'", path);
    }
    [[nodiscard]] std::int64_t analyses_started() const {
        return query_int("SELECT count(*) FROM events WHERE type = 'MetadataAnalysisStarted'");
    }

    const std::string gcode_ = "G28\nG1 X10 Y10 Z0.2 F3000\nG1 X20 E1\n";
};

// XXH3-128 of a file as xxHash's own command computes it: the server's hash, found independently.
std::string xxhsum_of(const std::filesystem::path& path) {
    std::FILE* xxhsum = ::popen(("xxhsum -H2 '" + path.string() + "'").c_str(), "r");
    if (xxhsum == nullptr) return "xxhsum cannot run";
    std::array<char, 33> digest{};
    const std::size_t got = std::fread(digest.data(), 1, 32, xxhsum);
    ::pclose(xxhsum);
    return got == 32 ? std::string(digest.data()) : "xxhsum printed no digest";
}

TEST_F(UploadTest, AnEmptyFileIsRefused) {
    const auto [status, body] = try_upload("empty.gcode", "");
    EXPECT_EQ(status, 400);
    EXPECT_NE(body.find("empty"), std::string::npos) << body;
    EXPECT_EQ(stored_files(), 0U);
    EXPECT_TRUE(uploads_folder_empty());
}

TEST_F(UploadTest, WhatIsNotGcodeIsRefusedWith415) {
    const auto [by_name, body] = try_upload("part.stl", "solid part\nendsolid\n");
    EXPECT_EQ(by_name, 415);
    EXPECT_NE(body.find("only G-code"), std::string::npos) << body;
    std::string binary = "G28\n";
    binary += std::string(100, '\0');
    const auto [by_content, why] = try_upload("binary.gcode", binary);
    EXPECT_EQ(by_content, 415);
    EXPECT_NE(why.find("not text"), std::string::npos) << why;
    EXPECT_EQ(stored_files(), 0U);
    EXPECT_TRUE(uploads_folder_empty());
}

TEST_F(UploadTest, ADuplicateNameReplacesUnlessNoOverwrite) {
    ASSERT_EQ(try_upload("same.gcode", gcode_).first, 201);
    std::string second = gcode_;
    while (second.size() < std::size_t{3} << 19)
        second += "G1 X30 E2\n";  // 1.5 MiB.
    ASSERT_EQ(try_upload("same.gcode", second).first, 201);
    ASSERT_EQ(stored_files(), 1U);
    EXPECT_EQ(server_->library().list()[0].size_bytes, second.size());
    // The hash runs on across the upload's 1 MiB buffer flushes.
    EXPECT_EQ(server_->library().list()[0].hash, xxhsum_of(directory_ / "files" / "same.gcode"));
    EXPECT_EQ(read_file(directory_ / "files" / "same.gcode"), second);
    const auto [status, body] = try_upload("same.gcode", gcode_, {{"noOverwrite", "true", "", ""}});
    EXPECT_EQ(status, 409);
    EXPECT_NE(body.find("noOverwrite"), std::string::npos) << body;
    EXPECT_EQ(read_file(directory_ / "files" / "same.gcode"), second);
    EXPECT_TRUE(uploads_folder_empty());
}

TEST_F(UploadTest, PathsCannotLeaveTheDataDirectory) {
    EXPECT_EQ(try_upload("x.gcode", gcode_, {{"path", "../../etc", "", ""}}).first, 400);
    EXPECT_EQ(try_upload("../../evil.gcode", gcode_).first, 400);
    EXPECT_EQ(try_upload("..", gcode_).first, 400);
    // Separators and hidden-file dots are dropped; a folder is kept inside files/.
    ASSERT_EQ(try_upload("a\\b/.hidden.gcode", gcode_, {{"path", "sub/dir", "", ""}}).first, 201);
    const std::vector<StoredFile> files = server_->library().list();
    ASSERT_EQ(files.size(), 1U);
    EXPECT_EQ(files[0].path, "sub/dir/hidden.gcode");
    EXPECT_TRUE(std::filesystem::exists(directory_ / "files" / "sub" / "dir" / "hidden.gcode"));
    EXPECT_FALSE(std::filesystem::exists(directory_.parent_path() / "evil.gcode"));
    const auto listing = client(viewer_key_).Get("/api/files?recursive=true");
    ASSERT_TRUE(listing);
    EXPECT_NE(listing->body.find(R"("type":"folder")"), std::string::npos);
    EXPECT_NE(listing->body.find(R"("children":[)"), std::string::npos);
}

TEST_F(UploadTest, AnUploadCutOffMidBodyLeavesNothing) {
    const int fd = raw_socket();
    const std::string boundary = "XyZ";
    const std::string head =
        "POST /api/files/local HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + operator_key_ +
        "\r\nContent-Type: multipart/form-data; boundary=" + boundary +
        "\r\nContent-Length: 10000000\r\n\r\n--" + boundary +
        "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.gcode\"\r\n\r\n";
    std::string body = head;
    for (int i = 0; i < 20000; ++i)
        body += "G1 X1 Y1\n";
    ASSERT_EQ(::send(fd, body.data(), body.size(), 0), static_cast<ssize_t>(body.size()));
    // The temporary file exists while the upload runs...
    EXPECT_TRUE(eventually([&] { return !uploads_folder_empty(); }, 5.0));
    ::close(fd);
    // ...and goes when the client does.
    EXPECT_TRUE(eventually([&] { return uploads_folder_empty(); }, 5.0));
    EXPECT_EQ(stored_files(), 0U);
    EXPECT_FALSE(std::filesystem::exists(directory_ / "files" / "cut.gcode"));
}

// The disk fills mid-upload (the kernel's file-size limit standing in for it: see
// support/file_faults.hpp): the upload is refused with 507 naming the cause, nothing of it stays
// and the library lists nothing new; once there is room the same upload is stored whole.
TEST_F(UploadTest, ADiskThatFillsMidUploadIs507AndLeavesNothing) {
    const std::string content = "G1 X1\n" + std::string(std::size_t{6} * 1024 * 1024, ';');
    {
        const testing::FileSizeLimit full(std::uint64_t{2} * 1024 * 1024);
        ASSERT_TRUE(full.applied());
        const auto [status, body] = try_upload("big.gcode", content);
        EXPECT_EQ(status, 507) << body;
        EXPECT_NE(body.find("cannot write the upload"), std::string::npos) << body;
    }
    EXPECT_TRUE(eventually([&] { return uploads_folder_empty(); }, 5.0));
    EXPECT_EQ(stored_files(), 0U);
    EXPECT_FALSE(std::filesystem::exists(directory_ / "files" / "big.gcode"));

    const auto [status, body] = try_upload("big.gcode", content);
    ASSERT_EQ(status, 201) << body;
    EXPECT_EQ(std::filesystem::file_size(directory_ / "files" / "big.gcode"), content.size());
}

// A prepared job is announced ready, then flushed to the disk, and the flush is recorded.
TEST_F(UploadTest, AReadyJobIsFlushedToTheDiskAndThatIsRecorded) {
    ASSERT_EQ(upload(operator_key_, "cube.gcode", read_file(sample_gcode))->status, 201);
    ASSERT_TRUE(eventually([&] { return job_synced("cube.gcode") == 1; }, 30.0));
    const std::optional<StoredFile> file = server_->library().find("cube.gcode");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->state, FileState::ready);
    EXPECT_EQ(std::filesystem::path(file->job_path).parent_path(), directory_ / "jobs");
}

// A crash between "ready" and the flush (simulated: the flag unset and the job cut short, as a
// power cut can leave it) means a new prep at the next start. Prep is deterministic, so the job
// comes back byte for byte.
TEST_F(UploadTest, AJobNotYetOnTheDiskAtACrashIsPreparedAgain) {
    ASSERT_EQ(upload(operator_key_, "cube.gcode", read_file(sample_gcode))->status, 201);
    ASSERT_TRUE(eventually([&] { return job_synced("cube.gcode") == 1; }, 30.0));
    const std::string job_path = server_->library().find("cube.gcode")->job_path;
    const std::string job = read_file(job_path);
    ASSERT_GT(job.size(), 1000U);
    server_.reset();
    ASSERT_TRUE(sql("UPDATE files SET job_synced = 0"));
    std::filesystem::resize_file(job_path, job.size() / 2);
    const std::int64_t preps_before = analyses_started();

    restart_server();
    ASSERT_TRUE(eventually([&] { return job_synced("cube.gcode") == 1; }, 30.0));
    EXPECT_EQ(analyses_started(), preps_before + 1);
    EXPECT_EQ(server_->library().find("cube.gcode")->state, FileState::ready);
    EXPECT_EQ(read_file(job_path), job);
}

// A job flushed before the crash is not prepared again.
TEST_F(UploadTest, AJobOnTheDiskIsNotPreparedAgainAtTheNextStart) {
    ASSERT_EQ(upload(operator_key_, "cube.gcode", read_file(sample_gcode))->status, 201);
    ASSERT_TRUE(eventually([&] { return job_synced("cube.gcode") == 1; }, 30.0));
    const std::int64_t preps_before = analyses_started();
    restart_server();
    server_->library().wait_idle();
    EXPECT_EQ(analyses_started(), preps_before);
    EXPECT_EQ(server_->library().find("cube.gcode")->state, FileState::ready);
}

TEST_F(UploadTest, ExpectContinueIsAnsweredBeforeTheBody) {
    const std::string head =
        "POST /api/files/local HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + operator_key_ +
        "\r\nContent-Type: multipart/form-data; boundary=B\r\n"
        "Content-Length: 100\r\nExpect: 100-continue\r\n\r\n";
    int fd = raw_socket();
    ASSERT_GT(::send(fd, head.data(), head.size(), 0), 0);
    char buffer[256] = {};
    ASSERT_GT(::recv(fd, buffer, sizeof buffer - 1, 0), 0);
    EXPECT_EQ(std::string(buffer).rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0U) << buffer;
    ::close(fd);
    // Without credentials the answer comes at once instead, and no body is waited for.
    const std::string anonymous =
        "POST /api/files/local HTTP/1.1\r\nHost: x\r\n"
        "Content-Length: 100\r\nExpect: 100-continue\r\n\r\n";
    fd = raw_socket();
    ASSERT_GT(::send(fd, anonymous.data(), anonymous.size(), 0), 0);
    std::string answer;
    for (ssize_t got = 0; (got = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
        answer.append(buffer, static_cast<std::size_t>(got));
    ::close(fd);
    EXPECT_EQ(answer.rfind("HTTP/1.1 403", 0), 0U) << answer;  // OctoPrint's answer.
    EXPECT_TRUE(uploads_folder_empty());
}

TEST_F(UploadTest, AGigabyteStreamsToDiskWithItsHash) {
    // The client generates the body as it goes: G-code lines, 1 GiB of them.
    const std::string line = "G1 X100.125 Y100.125 E0.04321 ; a line of a big print\n";
    const std::uint64_t lines = (std::uint64_t{1} << 30U) / line.size() + 1;
    const std::uint64_t file_bytes = lines * line.size();
    const std::string boundary = "strataBigUpload";
    const std::string before = "--" + boundary +
                               "\r\nContent-Disposition: form-data; name=\"file\"; "
                               "filename=\"big.gcode\"\r\nContent-Type: "
                               "application/octet-stream\r\n\r\n";
    const std::string after = "\r\n--" + boundary + "--\r\n";
    std::string block;
    for (int i = 0; i < 4096; ++i)
        block += line;
    const std::uint64_t total = before.size() + file_bytes + after.size();
    httplib::Client http = client(operator_key_);
    http.set_write_timeout(120, 0);
    http.set_read_timeout(120, 0);
    const auto result = http.Post(
        "/api/files/local", total,
        [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
            std::uint64_t at = offset;
            if (at < before.size()) return sink.write(before.data() + at, before.size() - at);
            at -= before.size();
            if (at < file_bytes) {
                const std::uint64_t in_line = at % block.size();
                const auto take = static_cast<std::size_t>(
                    std::min<std::uint64_t>(block.size() - in_line, file_bytes - at));
                return sink.write(block.data() + in_line, take);
            }
            at -= file_bytes;
            return sink.write(after.data() + at, after.size() - at);
        },
        "multipart/form-data; boundary=" + boundary);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 201) << result->body;
    const std::optional<StoredFile> stored = server_->library().find("big.gcode");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->size_bytes, file_bytes);
    EXPECT_EQ(std::filesystem::file_size(directory_ / "files" / "big.gcode"), file_bytes);
    EXPECT_EQ(stored->hash, xxhsum_of(directory_ / "files" / "big.gcode"));
    EXPECT_TRUE(uploads_folder_empty());
    // Deleting it mid-prep leaves no job behind.
    ASSERT_EQ(client(operator_key_).Delete("/api/files/local/big.gcode")->status, 204);
    server_->library().wait_idle();
    EXPECT_TRUE(std::filesystem::is_empty(directory_ / "jobs"));
}

}  // namespace
}  // namespace strata::server::test
