// Runs a fuzz target over files and folders given on the command line (the
// seed corpus and every past finding), so the targets are ordinary tests in
// `bazel test //...` without libFuzzer.

// 64-bit file offsets and inode numbers on 32-bit targets, as in
// backends/file_system.cc: readdir and stat fail with EOVERFLOW otherwise.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Collect(const std::string& path, std::vector<std::string>* files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR* d = opendir(path.c_str());
    if (d == nullptr) return;
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      Collect(path + "/" + n, files);
    }
    closedir(d);
  } else {
    files->push_back(path);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) Collect(argv[i], &files);
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string data = ss.str();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    // Every prefix too: cheap extra coverage of the truncation paths.
    if (data.size() < 4096) {
      for (size_t n = 0; n < data.size(); ++n) LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), n);
    }
  }
  std::printf("ran %zu inputs\n", files.size());
  return files.empty() ? 1 : 0;
}
