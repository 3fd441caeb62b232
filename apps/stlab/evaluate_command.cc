// `stlab evaluate coco --gt GT.json --dets DETS.json [--json OUT.json]`: COCO bbox
// evaluation of result files, printing pycocotools' 12-line summary.
#include <iostream>

#include "apps/stlab/command.h"
#include "plugins/evaluation/coco/coco_eval.h"
#include "plugins/evaluation/coco/coco_json.h"

namespace stlab::cli {
namespace {

int RunEvaluate(const Invocation& invocation) {
  const std::string gt_path = invocation.Flag("gt");
  const std::string dets_path = invocation.Flag("dets");
  if (invocation.args.size() != 1 || invocation.args[0] != "coco") {
    return UsageError(invocation, "the one evaluation is `coco`");
  }
  if (gt_path.empty() || dets_path.empty()) {
    return UsageError(invocation, "--gt and --dets are required");
  }
  absl::StatusOr<coco::GroundTruth> gt = coco::LoadGroundTruth(gt_path);
  if (!gt.ok()) {
    std::cerr << "error: " << gt.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::vector<coco::Detection>> dets = coco::LoadDetections(dets_path, *gt);
  if (!dets.ok()) {
    std::cerr << "error: " << dets.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<coco::EvalResult> result = coco::Evaluate(*gt, *dets);
  if (!result.ok()) {
    std::cerr << "error: " << result.status().message() << "\n";
    return 1;
  }
  std::cout << coco::FormatSummary(result->stats);
  if (const std::string out = invocation.Flag("json"); !out.empty()) {
    if (absl::Status s = coco::WriteStats(out, result->stats); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

STLAB_COMMAND({"evaluate", "coco --gt GT.json --dets DETS.json",
               "COCO bbox evaluation of result files (.gz accepted), printing pycocotools' "
               "summary",
               {{"gt", "GT.json", "ground-truth COCO instances JSON"},
                {"dets", "DETS.json", "COCO results JSON"},
                {"json", "OUT.json", "also write the 12 statistics to this JSON file"}},
               RunEvaluate});

}  // namespace stlab::cli
