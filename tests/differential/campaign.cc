#include "tests/differential/campaign.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "session/base64.h"
#include "session/json.h"
#include "tests/differential/compare.h"
#include "tests/differential/generator.h"

namespace tgsession {
namespace differential {

const char* CheckName(int check) {
  static const char* const kNames[] = {"binary", "native", "compact", "encode"};
  return check >= 0 && check < kCheckCount ? kNames[check] : "?";
}

absl::StatusOr<std::unique_ptr<DifferentialChecker>> DifferentialChecker::Start(const std::string& oracle) {
  std::unique_ptr<DifferentialChecker> c(new DifferentialChecker());
  const std::vector<std::string> args[kCheckCount] = {{"decode-binary", "--with-reencode"},
                                                      {"decode-string", "--with-reencode"},
                                                      {"decode-compact"},
                                                      {"encode-binary"}};
  for (int i = 0; i < kCheckCount; ++i) {
    absl::StatusOr<std::unique_ptr<OracleProcess>> p = OracleProcess::Start(oracle, args[i]);
    if (!p.ok()) return p.status();
    c->oracle_[i] = *std::move(p);
  }
  return c;
}

void DifferentialChecker::AddSession(Session session) {
  pending_[kEncode].push_back(OracleJson(session));
  sessions_.push_back(std::move(session));
}

size_t DifferentialChecker::pending() const {
  size_t n = 0;
  for (const auto& p : pending_) n += p.size();
  return n;
}

size_t DifferentialChecker::unlisted() const {
  size_t n = 0;
  for (const Tally& t : tally_) n += t.by_difference[static_cast<int>(Difference::kUnlisted)];
  return n;
}

absl::Status DifferentialChecker::Flush() {
  using base64_internal::Kernel;
  std::vector<Kernel> kernels;
  for (Kernel k : {Kernel::kScalar, Kernel::kAvx2, Kernel::kAvx512Vbmi}) {
    if (base64_internal::KernelAvailable(k)) kernels.push_back(k);
  }
  base64_internal::ForceKernelForTesting(kernels[flushes_++ % kernels.size()]);
  absl::Status status;
  for (int check = 0; check < kCheckCount && status.ok(); ++check) {
    std::vector<std::string>& in = pending_[check];
    if (in.empty()) continue;
    absl::StatusOr<std::vector<std::string>> lines =
        check == kEncode ? oracle_[check]->Lines(in) : oracle_[check]->Frames(in);
    if (!lines.ok()) {
      status = lines.status();
      break;
    }
    Tally& t = tally_[check];
    for (size_t i = 0; i < in.size(); ++i) {
      const std::string& line = (*lines)[i];
      Verdict v;
      switch (check) {
        case kBinary:
          v = CheckBinary(in[i], line);
          break;
        case kNative:
          v = CheckNative(in[i], line);
          break;
        case kCompact:
          v = CheckCompact(in[i], line);
          break;
        default:
          v = CheckEncode(sessions_[i], line);
      }
      ++t.inputs;
      t.ours_accepted += v.ours_ok;
      t.theirs_accepted += v.theirs_ok;
      t.reencodes += static_cast<size_t>(v.reencodes);
      ++t.by_difference[static_cast<int>(v.difference)];
      if (v.difference == Difference::kUnlisted && findings_.size() < kMaxFindings) {
        findings_.push_back(Finding{check, in[i], v.detail});
      }
    }
    in.clear();
    if (check == kEncode) sessions_.clear();
  }
  base64_internal::ResetKernelForTesting();
  return status;
}

absl::Status RunCampaign(const CampaignOptions& o, DifferentialChecker* checker) {
  const Seeds seeds = LoadSeeds(o.vectors_dir, o.regression_dir);
  if (seeds.binary.empty() || seeds.native.empty() || seeds.compact.empty()) {
    return absl::NotFoundError(absl::StrCat("no seed vectors under ", o.vectors_dir, "/ferogram"));
  }
  InputGenerator gen(o.seed, seeds);
  const auto flush_if_full = [&]() -> absl::Status {
    return checker->pending() >= o.batch ? checker->Flush() : absl::OkStatus();
  };
  // Seeds first; binary seeds also cut short at every length up to 64
  // bytes and at 16 points beyond.
  std::vector<std::string> binary;
  for (const std::string& s : seeds.binary) {
    binary.push_back(s);
    for (size_t n = 0; n < s.size() && n <= 64; ++n) binary.push_back(s.substr(0, n));
    for (size_t k = 1; s.size() > 64 && k < 16; ++k) binary.push_back(s.substr(0, 64 + (s.size() - 64) * k / 16));
  }
  size_t made[3] = {0, 0, 0};
  const auto add = [&](int check, std::string in) {
    ++made[check];
    if (check == kBinary) checker->AddBinary(std::move(in));
    if (check == kNative) checker->AddNative(std::move(in));
    if (check == kCompact) checker->AddCompact(std::move(in));
  };
  for (std::string& b : binary) {
    if (made[kBinary] >= o.inputs_per_decoder) break;
    add(kBinary, std::move(b));
    if (absl::Status s = flush_if_full(); !s.ok()) return s;
  }
  for (const std::string& t : seeds.native) add(kNative, t);
  for (const std::string& t : seeds.compact) add(kCompact, t);
  for (Session& s : BoundarySessions()) checker->AddSession(std::move(s));
  for (const std::string& json : seeds.encode) {
    absl::StatusOr<Session> s = SessionFromJson(json);
    if (!s.ok()) return absl::DataLossError(absl::StrCat("a regression session: ", s.status().message()));
    checker->AddSession(*std::move(s));
  }
  if (absl::Status s = checker->Flush(); !s.ok()) return s;
  for (size_t i = 0; i < o.encode_sessions; ++i) {
    checker->AddSession(gen.NextSession());
    if (absl::Status s = flush_if_full(); !s.ok()) return s;
  }
  while (made[kBinary] < o.inputs_per_decoder || made[kNative] < o.inputs_per_decoder ||
         made[kCompact] < o.inputs_per_decoder) {
    if (made[kBinary] < o.inputs_per_decoder) add(kBinary, gen.NextBinary());
    if (made[kNative] < o.inputs_per_decoder) add(kNative, gen.NextNative());
    if (made[kCompact] < o.inputs_per_decoder) add(kCompact, gen.NextCompact());
    if (absl::Status s = flush_if_full(); !s.ok()) return s;
  }
  return checker->Flush();
}

absl::StatusOr<std::vector<std::string>> SaveFindings(const DifferentialChecker& c, const std::string& dir) {
  std::vector<std::string> paths;
  for (const Finding& f : c.findings()) {
    const std::string sub = absl::StrCat(dir, "/", CheckName(f.check));
    ::mkdir(dir.c_str(), 0755);
    ::mkdir(sub.c_str(), 0755);
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a: a stable name, the same input saved twice is one file
    for (unsigned char ch : f.input) h = (h ^ ch) * 0x100000001b3ull;
    const std::string path = absl::StrCat(sub, "/", absl::Hex(h, absl::kZeroPad16));
    std::ofstream out(path, std::ios::binary);
    out << f.input;
    if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", path));
    paths.push_back(path);
  }
  return paths;
}

std::string Report(const DifferentialChecker& c) {
  std::string out;
  for (int check = 0; check < kCheckCount; ++check) {
    const Tally& t = c.tally(check);
    if (t.inputs == 0) continue;
    const bool encode = check == kEncode;
    absl::StrAppend(&out, "campaign ", CheckName(check), ": ", t.inputs, encode ? " sessions" : " inputs");
    if (!encode) {
      absl::StrAppend(&out, "; ours accepted ", t.ours_accepted, ", rejected ", t.inputs - t.ours_accepted,
                      "; ferogram accepted ", t.theirs_accepted, ", rejected ", t.inputs - t.theirs_accepted);
    }
    absl::StrAppend(&out, "; ", t.reencodes, " encodings compared byte for byte; by difference:");
    for (int d = 0; d < kDifferenceCount; ++d) {
      if (t.by_difference[d] > 0 || d == static_cast<int>(Difference::kUnlisted)) {
        absl::StrAppend(&out, " ", DifferenceName(static_cast<Difference>(d)), " ", t.by_difference[d]);
      }
    }
    out += "\n";
  }
  for (const Finding& f : c.findings()) {
    absl::StrAppend(&out, "UNLISTED DIFFERENCE (", CheckName(f.check), "): ", f.detail, "\n  input (", f.input.size(),
                    " bytes, hex): ", absl::BytesToHexString(f.input.substr(0, 8192)),
                    f.input.size() > 8192 ? "..." : "", "\n");
  }
  return out;
}

}  // namespace differential
}  // namespace tgsession
