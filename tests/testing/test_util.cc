// 64-bit file offsets and inode numbers on 32-bit targets, as in
// backends/file_system.cc: readdir and lstat fail with EOVERFLOW otherwise.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "tests/testing/test_util.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tgsession {
namespace testing {

void WriteFileOrDie(const std::string& path, absl::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f.good()) ADD_FAILURE() << "cannot write " << path;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string RunfilePath(absl::string_view rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr) return std::string(rel);
  return absl::StrCat(srcdir, "/", ws != nullptr ? ws : "tgsession", "/", rel);
}

std::string VectorsDir() {
  const char* env = std::getenv("TGS_VECTORS_DIR");
  if (env != nullptr && *env != '\0' && FileExists(std::string(env) + "/ferogram")) return env;
  return RunfilePath("tests/vectors");
}

std::string InteropVectorsDir() { return VectorsDir() + "/interop"; }

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ListDir(const std::string& dir, absl::string_view suffix) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    ADD_FAILURE() << "cannot list " << dir;
    return out;
  }
  while (struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (absl::EndsWith(name, suffix)) out.push_back(name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ListFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& name : ListDir(dir, "")) {
    struct stat st;
    if (::lstat((dir + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) out.push_back(name);
  }
  return out;
}

void RemoveFiles(const std::string& dir) {
  for (const std::string& name : ListFiles(dir)) {
    if (::unlink((dir + "/" + name).c_str()) != 0) ADD_FAILURE() << "unlink " << dir << "/" << name;
  }
}

std::string HexToBytes(absl::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  const auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(nib(hex[i]) * 16 + nib(hex[i + 1])));
  return out;
}

std::string BytesToHex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

rapidjson::Document ParseJsonOrDie(absl::string_view json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
  if (d.HasParseError()) ADD_FAILURE() << "bad JSON at offset " << d.GetErrorOffset();
  return d;
}

std::string JsonStr(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

bool JsonEqual(const rapidjson::Value& a, const rapidjson::Value& b, std::string* where, const std::string& path) {
  if (a.IsObject() && b.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) {
      *where = absl::StrCat(path, ": member count ", a.MemberCount(), " vs ", b.MemberCount());
      for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
        if (!b.HasMember(it->name)) absl::StrAppend(where, "; only left has ", it->name.GetString());
      }
      for (auto it = b.MemberBegin(); it != b.MemberEnd(); ++it) {
        if (!a.HasMember(it->name)) absl::StrAppend(where, "; only right has ", it->name.GetString());
      }
      return false;
    }
    for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
      auto jt = b.FindMember(it->name);
      if (jt == b.MemberEnd()) {
        *where = absl::StrCat(path, ": missing ", it->name.GetString());
        return false;
      }
      if (!JsonEqual(it->value, jt->value, where, absl::StrCat(path, ".", it->name.GetString()))) return false;
    }
    return true;
  }
  if (a.IsArray() && b.IsArray()) {
    if (a.Size() != b.Size()) {
      *where = absl::StrCat(path, ": array size ", a.Size(), " vs ", b.Size());
      return false;
    }
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!JsonEqual(a[i], b[i], where, absl::StrCat(path, "[", i, "]"))) return false;
    }
    return true;
  }
  if (a.IsInt64() && b.IsInt64()) {
    if (a.GetInt64() != b.GetInt64()) {
      *where = absl::StrCat(path, ": ", a.GetInt64(), " vs ", b.GetInt64());
      return false;
    }
    return true;
  }
  if (a != b) {
    *where = absl::StrCat(path, ": values differ");
    return false;
  }
  return true;
}

void StripFields(rapidjson::Value& v, const std::vector<std::string>& names) {
  if (v.IsObject()) {
    for (const std::string& n : names) v.RemoveMember(n.c_str());
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) StripFields(it->value, names);
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) StripFields(e, names);
  }
}

namespace {

std::string MakeEmptyDir(const std::string& base, absl::string_view name) {
  std::string safe(name);
  for (char& c : safe) {
    if (c == '/') c = '_';
  }
  std::string dir = absl::StrCat(base, "/", safe, "-", ::getpid());
  std::string cmd = absl::StrCat("rm -rf '", dir, "'");
  if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << cmd;
  if (::mkdir(dir.c_str(), 0700) != 0) ADD_FAILURE() << "mkdir " << dir;
  return dir;
}

}  // namespace

std::string MakeTempDir(absl::string_view name) {
  const char* base = std::getenv("TEST_TMPDIR");
  return MakeEmptyDir(base != nullptr ? base : "/tmp", name);
}

std::string MakeRamTempDir(absl::string_view name) {
  if (::access("/dev/shm", W_OK | X_OK) != 0) return MakeTempDir(name);
  return MakeEmptyDir("/dev/shm", absl::StrCat("tgsession-", name));
}

void RemoveRamTempDir(const std::string& dir) {
  RemoveFiles(dir);
  if (::rmdir(dir.c_str()) != 0) ADD_FAILURE() << "rmdir " << dir;
}

}  // namespace testing
}  // namespace tgsession
