// The library's folders. A folder holding files needs no record: it is the common prefix of
// their paths, and goes when its last file does, as a listing built from paths shows it. A
// folder created empty (OctoPrint's `foldername` upload, which clients use to organise files
// before uploading into them) is a row in `folders` and a directory under files/, until it is
// deleted; moving or copying a folder carries the created folders inside it along.
#include <filesystem>

#include "strata/server/clock.hpp"
#include "strata/server/library.hpp"

namespace strata::server {
namespace {

// `path` and everything below it, as a LIKE pattern (its own % and _ escaped).
std::string below_pattern(std::string_view path) {
    std::string pattern;
    for (const char c : path) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    return pattern + "/%";
}

}  // namespace

Status FileLibrary::add_folder(const std::string& path) {
    std::error_code failure;
    std::filesystem::create_directories(data_ / "files" / path, failure);
    if (failure)
        return Error{error_code_of_errno(failure.value()),
                     "cannot create the folder " + path + ": " + failure.message()};
    const Status listed = store_.with([&](Database& db) {
        Statement insert = db.prepare(
            "INSERT INTO folders (path, created_s) VALUES (?, ?) ON CONFLICT (path) DO NOTHING");
        return insert.bind(1, path).bind(2, unix_now_s()).run();
    });
    if (!listed)
        return Error{listed.error().code,
                     "cannot list the folder " + path + ": " + listed.error().message};
    return {};
}

std::vector<std::string> FileLibrary::created_folders() {
    return store_.with([](Database& db) {
        std::vector<std::string> paths;
        Statement select = db.prepare("SELECT path FROM folders ORDER BY path");
        if (!select.valid()) return paths;
        while (select.step() == Statement::Step::row)
            paths.push_back(select.text(0));
        return paths;
    });
}

bool FileLibrary::is_folder(std::string_view path) {
    if (path.empty()) return true;
    const std::string pattern = below_pattern(path);
    return store_.with([&](Database& db) {
        Statement select = db.prepare(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM folders WHERE path = ?1 OR path LIKE ?2 "
            "ESCAPE '\\') OR EXISTS (SELECT 1 FROM files WHERE path LIKE ?2 ESCAPE '\\')");
        return select.valid() &&
               select.bind(1, path).bind(2, pattern).step() == Statement::Step::row;
    });
}

Status FileLibrary::remove_folders(std::string_view path) {
    const Status removed = store_.with([&](Database& db) {
        Statement remove =
            db.prepare("DELETE FROM folders WHERE path = ?1 OR path LIKE ?2 ESCAPE '\\'");
        return remove.bind(1, path).bind(2, below_pattern(path)).run();
    });
    if (!removed)
        return Error{removed.error().code, "cannot remove the folder " + std::string(path) + ": " +
                                               removed.error().message};
    // The directories go where they are empty now (deepest first); a leftover one is harmless,
    // as listings come from the store.
    std::error_code ignored;
    const std::filesystem::path root = data_ / "files" / std::string(path);
    std::vector<std::filesystem::path> directories;
    for (std::filesystem::recursive_directory_iterator it(root, ignored), end; it != end;
         it.increment(ignored))
        if (it->is_directory(ignored)) directories.push_back(it->path());
    for (auto it = directories.rbegin(); it != directories.rend(); ++it)
        std::filesystem::remove(*it, ignored);
    std::filesystem::remove(root, ignored);
    return {};
}

Status FileLibrary::move_folders(std::string_view from, std::string_view to) {
    if (Status copied = copy_folders(from, to); !copied) return copied;
    return remove_folders(from);
}

Status FileLibrary::copy_folders(std::string_view from, std::string_view to) {
    for (const std::string& folder : created_folders()) {
        if (folder != from && !folder.starts_with(std::string(from) + "/")) continue;
        if (Status added = add_folder(std::string(to) + folder.substr(from.size())); !added)
            return added;
    }
    return {};
}

}  // namespace strata::server
