// `stlab check-data CONFIG [--limit N]`: opens every dataset of the config
// (data.train, data.val, data.unlabeled) and reads every sample, so that a missing
// file, an unknown class or a broken image shows up before any training, each named
// with its file; prints what each dataset holds.
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "apps/stlab/command.h"
#include "apps/stlab/run_output.h"
#include "core/dataset.h"
#include "core/engine/components.h"

namespace stlab::cli {
namespace {

constexpr int kErrorsShown = 20;

// What one dataset held, and the samples that failed.
struct DataReport {
  int64_t size = 0;
  int64_t read = 0;
  int64_t boxes = 0;
  int64_t ignore_regions = 0;
  int64_t with_masks = 0;
  std::map<int64_t, int64_t> boxes_per_class;
  std::vector<std::string> errors;
};

DataReport ReadEverySample(const Dataset& dataset, int64_t limit) {
  DataReport report;
  report.size = dataset.Size();
  const int64_t count = limit > 0 ? std::min(limit, report.size) : report.size;
  for (int64_t i = 0; i < count; ++i) {
    absl::StatusOr<Sample> sample = dataset.Get(i);
    if (!sample.ok()) {
      report.errors.push_back(absl::StrCat("sample ", i, ": ", sample.status().message()));
      continue;
    }
    ++report.read;
    if (sample->labels.defined() && sample->boxes.defined() && sample->boxes.size(0) > 0) {
      report.boxes += sample->boxes.size(0);
      const at::Tensor labels = sample->labels.to(at::kLong).contiguous();
      for (int64_t k = 0; k < labels.numel(); ++k) ++report.boxes_per_class[labels.data_ptr<int64_t>()[k]];
    }
    if (sample->ignore_boxes.defined()) report.ignore_regions += sample->ignore_boxes.size(0);
    if (sample->mask.defined()) ++report.with_masks;
  }
  return report;
}

void Print(const std::string& slot, const Dataset& dataset, const DataReport& report) {
  const DatasetInfo& info = dataset.Info();
  std::cout << slot << ": " << report.size << " images, " << report.read << " read";
  if (!report.errors.empty()) std::cout << ", " << report.errors.size() << " broken";
  std::cout << "\n";
  if (info.has_boxes) {
    std::cout << "  " << report.boxes << " boxes, " << report.ignore_regions
              << " ignore regions; per class:";
    for (size_t c = 0; c < info.class_names.size(); ++c) {
      auto it = report.boxes_per_class.find(static_cast<int64_t>(c));
      std::cout << " " << info.class_names[c] << " "
                << (it == report.boxes_per_class.end() ? 0 : it->second);
    }
    std::cout << "\n";
  }
  if (info.has_masks) {
    std::cout << "  " << report.with_masks << " masks over " << info.mask_class_names.size()
              << " classes\n";
  }
  for (size_t i = 0; i < report.errors.size() && i < kErrorsShown; ++i) {
    std::cerr << "error: " << slot << ": " << report.errors[i] << "\n";
  }
  if (report.errors.size() > kErrorsShown) {
    std::cerr << "error: " << slot << ": ... and " << report.errors.size() - kErrorsShown
              << " more broken samples\n";
  }
}

int RunCheckData(const Invocation& invocation) {
  int64_t limit = 0;
  if (const std::string text = invocation.Flag("limit");
      !text.empty() && (!absl::SimpleAtoi(text, &limit) || limit < 1)) {
    return UsageError(invocation, absl::StrCat("--limit takes an integer >= 1, got '", text, "'"));
  }
  Registries registries;
  std::variant<ValidatedConfig, int> loaded = LoadCommandConfig(invocation, registries);
  if (const int* exit_code = std::get_if<int>(&loaded)) return *exit_code;
  const ValidatedConfig& config = std::get<ValidatedConfig>(loaded);
  const uint64_t seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  int exit_code = 0;
  int datasets = 0;
  for (const char* slot : {"data.train", "data.val", "data.unlabeled"}) {
    absl::StatusOr<std::shared_ptr<const Dataset>> dataset =
        BuildDataset(config, registries, slot, seed);
    if (!dataset.ok()) {
      std::cerr << "error: " << dataset.status().message() << "\n";
      exit_code = 1;
      continue;
    }
    if (*dataset == nullptr) continue;
    ++datasets;
    const DataReport report = ReadEverySample(**dataset, limit);
    Print(slot, **dataset, report);
    if (!report.errors.empty()) exit_code = 1;
  }
  if (datasets == 0 && exit_code == 0) {
    std::cerr << "error: the config has no [data.train], [data.val] or [data.unlabeled]\n";
    return 1;
  }
  return exit_code;
}

}  // namespace

STLAB_COMMAND({"check-data", "CONFIG",
               "open every dataset of the config and read every sample: missing files, unknown "
               "classes and broken images, each named, before any training; prints what each "
               "dataset holds (exit code 1 when a sample is broken)",
               {{"limit", "N", "read only the first N samples of each dataset"}},
               RunCheckData});

}  // namespace stlab::cli
