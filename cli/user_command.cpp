// `strata user add NAME [--admin|--operator|--viewer] [--data DIR | --config FILE] [--json]`: adds
// a user to the server's store with a generated password and a first API key, printed once (the
// store keeps only their digests). The server refuses to serve until an admin exists; this is how
// the first one is made. Exit 0, 1 for bad usage or a refused name, 5 when the store cannot be
// written.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "serve_config.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/server/accounts.hpp"

namespace strata::cli {
namespace {

constexpr const char* usage_text =
    "usage: strata user add NAME [--admin | --operator | --viewer (default)] [--data DIR]\n"
    "       [--config FILE] [--json]\n"
    "  DIR: the server's data directory (default $STRATA_DATA, else ~/.local/share/strata)\n"
    "  FILE: the server's configuration file, for its data directory\n";

// root writing into a service's data directory would leave files the service cannot open
// (the database's journal, made as root): the owner must add users.
Status check_owner(const std::filesystem::path& data) {
    struct stat info {};
    if (::geteuid() != 0 || ::stat(data.c_str(), &info) != 0 || info.st_uid == 0) return {};
    const passwd* owner = ::getpwuid(info.st_uid);
    const std::string name = owner != nullptr ? owner->pw_name : std::to_string(info.st_uid);
    return fail(ErrorCode::permission, data.string() + " belongs to " + name +
                                           "; add users as that user: sudo -u " + name +
                                           " strata user add ...");
}

}  // namespace

std::filesystem::path default_data_directory() {
    if (const char* data = std::getenv("STRATA_DATA"); data != nullptr && *data != '\0')
        return data;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : ".") / ".local" / "share" / "strata";
}

int run_user(const std::vector<std::string>& arguments) {
    std::string name;
    server::Role role = server::Role::viewer;
    std::filesystem::path data = default_data_directory();
    bool as_json = false;
    if (arguments.empty() || arguments[0] != "add") {
        std::fputs(usage_text, stderr);
        return exit_code::usage;
    }
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        const auto as_role =
            argument.size() > 2 ? server::parse_role(argument.substr(2)) : std::nullopt;
        if (argument == "--json") {
            as_json = true;
        } else if (argument.rfind("--", 0) == 0 && as_role) {
            role = *as_role;
        } else if (argument == "--data" && i + 1 < arguments.size()) {
            data = arguments[++i];
        } else if (argument == "--config" && i + 1 < arguments.size()) {
            // The server's own file: the data directory it names is the one it serves.
            server::ServerConfig config;
            config.data_directory = data;
            if (const Status read = apply_config_file(arguments[++i], config); !read) {
                std::fprintf(stderr, "strata user: %s\n", read.error().message.c_str());
                return exit_code::usage;
            }
            data = config.data_directory;
        } else if (argument.empty() || argument[0] == '-' || !name.empty()) {
            std::fprintf(stderr, "strata user: unexpected '%s'\n%s", argument.c_str(), usage_text);
            return exit_code::usage;
        } else {
            name = argument;
        }
    }
    if (name.empty()) {
        std::fputs(usage_text, stderr);
        return exit_code::usage;
    }
    if (const Status owned = check_owner(data); !owned) {
        std::fprintf(stderr, "strata user: %s\n", owned.error().message.c_str());
        return exit_code::usage;
    }
    std::error_code ignored;  // A folder that cannot be made or locked fails the open below.
    std::filesystem::create_directories(data, ignored);
    // Only its owner reads the store: it holds password hashes and key digests.
    std::filesystem::permissions(data, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ignored);
    server::Database db;
    if (const Status opened = db.open(data / "strata.db"); !opened) {
        std::fprintf(stderr, "strata user: %s\n", opened.error().message.c_str());
        return exit_code::write_failed;
    }
    const Result<server::NewUser> added = server::Accounts(db).add_user(name, role, std::nullopt);
    if (!added) {
        std::fprintf(stderr, "strata user: %s\n", added.error().message.c_str());
        return added.error().code == ErrorCode::invalid || added.error().code == ErrorCode::conflict
                   ? exit_code::usage
                   : exit_code::write_failed;
    }
    const server::NewUser& created = *added;
    if (as_json) {
        JsonWriter json(std::cout);
        json.begin_object()
            .field("name", created.user.name)
            .field("role", std::string(server::to_string(role)))
            .field("password", created.password)
            .field("api_key", created.api_key)
            .end_object();
        std::cout << '\n';
    } else {
        std::printf(
            "user %s (%s) added to %s\npassword: %s\napi key:  %s\n"
            "(shown once: strata keeps only their digests)\n",
            created.user.name.c_str(), std::string(server::to_string(role)).c_str(),
            (data / "strata.db").c_str(), created.password.c_str(), created.api_key.c_str());
    }
    return exit_code::ok;
}

}  // namespace strata::cli
