// `stlab evaluate coco --gt GT.json --dets DETS.json [--json OUT.json]`: COCO bbox
// evaluation of result files, printing pycocotools' 12-line summary.
#include <iostream>

#include "absl/flags/flag.h"
#include "apps/stlab/commands.h"
#include "plugins/evaluation/coco/coco_eval.h"
#include "plugins/evaluation/coco/coco_json.h"

ABSL_FLAG(std::string, gt, "", "evaluate coco: ground-truth COCO instances JSON (.gz accepted)");
ABSL_FLAG(std::string, dets, "", "evaluate coco: COCO results JSON (.gz accepted)");
ABSL_FLAG(std::string, json, "",
          "evaluate coco, eval: also write the statistics / metrics to this JSON file");

namespace stlab::cli {

int RunEvaluateCommand(const std::vector<std::string>& args, const CommonOptions&) {
  const std::string gt_path = absl::GetFlag(FLAGS_gt);
  const std::string dets_path = absl::GetFlag(FLAGS_dets);
  if (args.size() != 1 || args[0] != "coco" || gt_path.empty() || dets_path.empty()) {
    std::cerr << "usage: stlab evaluate coco --gt GT.json --dets DETS.json [--json OUT.json]\n";
    return 2;
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
  if (const std::string out = absl::GetFlag(FLAGS_json); !out.empty()) {
    if (absl::Status s = coco::WriteStats(out, result->stats); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace stlab::cli
