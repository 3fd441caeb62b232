#!/usr/bin/env python3
"""stlab beside its peers, in one run: runs stlab's Google Benchmark binaries
(--benchmark_format=json) and the same work through the peers' public APIs
(PyTorch/torchvision, torchvision transforms v2, pycocotools, faster-coco-eval),
alternating stlab and peer repeats, and prints one table of ratios
(peer time / stlab time) against the targets of issue 6.

Run through `bash scripts/bench_peers.sh`, which builds the binaries and provides the
peers' environment (scripts/peers_env.sh). Every figure is measured in this run.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy
import torch

ROOT = Path(__file__).resolve().parent.parent
# The medium COCO-eval case travels with the repository; the large one is shared.
REPOSITORY_FIXTURES = ROOT / "tests" / "fixtures" / "coco_eval"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures" / "coco_eval"


def fixture_dir(case):
    return SHARED_FIXTURES / case if case == "large" else REPOSITORY_FIXTURES / case
BATCH = 8  # benchmarks/benchmark_models.h kBatch
NUM_CLASSES = 6  # synthetic shapes' default
UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}  # Google Benchmark time units


# ---------------------------------------------------------------- stlab side
def run_stlab(build, binary, name, min_time, threads=1):
    """Seconds per iteration of one Google Benchmark case, and its JSON record: the
    main thread's CPU time for one thread (see time_peer), else real time."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    out = subprocess.run(
        [str(build / "bin" / binary), f"--benchmark_filter=^{name}(/real_time)?$",
         "--benchmark_format=json", f"--benchmark_min_time={min_time}"],
        check=True, capture_output=True, text=True, env=env).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type", "iteration") == "iteration"]
    if not runs:
        raise RuntimeError(f"{binary}: no benchmark matches {name}")
    b = runs[0]
    if b.get("error_occurred"):
        raise RuntimeError(f"{binary} {name}: {b.get('error_message')}")
    scale = UNIT[b["time_unit"]]
    return b["cpu_time" if threads == 1 else "real_time"] * scale, b


# ---------------------------------------------------------------- peer side
def time_peer(fn, min_time):
    """Mean CPU seconds of this thread per call of fn() after one warm-up call, over
    >= min_time of it.
    NOTE: single-threaded work is timed by thread CPU time on both sides (Google
    Benchmark's cpu_time is the main thread's): on a shared 2-core machine the wall
    time of one run can be several times its CPU time, and CPU time is what stays
    comparable between the alternating runs."""
    fn()
    calls, start = 0, time.thread_time()
    while True:
        fn()
        calls += 1
        elapsed = time.thread_time() - start
        if elapsed >= min_time:
            return elapsed / calls


def synthetic_targets(size, generator):
    """Per image 1-4 boxes of 10-50 % of the side, as synthetic_shapes draws them."""
    targets = []
    for _ in range(BATCH):
        n = int(torch.randint(1, 5, (1,), generator=generator))
        side = (0.1 + 0.4 * torch.rand(n, generator=generator)) * size
        x1 = torch.rand(n, generator=generator) * (size - side)
        y1 = torch.rand(n, generator=generator) * (size - side)
        boxes = torch.stack([x1, y1, x1 + side, y1 + side], 1)
        targets.append({"boxes": boxes, "labels": torch.randint(1, NUM_CLASSES + 1, (n,), generator=generator)})
    return targets


def torchvision_retinanet(tiny, size, score_thresh=0.05):
    """torchvision's RetinaNet in the shape of benchmarks/benchmark_models.h."""
    from torch import nn
    from torchvision.models.detection import RetinaNet
    from torchvision.models.detection.anchor_utils import AnchorGenerator
    from torchvision.models.detection.backbone_utils import BackboneWithFPN, resnet_fpn_backbone
    from torchvision.models.resnet import BasicBlock, ResNet
    from torchvision.ops.feature_pyramid_network import ExtraFPNBlock, LastLevelP6P7

    if tiny:
        # ResNet-18 at quarter width (torchvision has no width multiplier): its ResNet
        # class with BasicBlock, every width divided by 4.
        class QuarterResNet18(ResNet):
            def __init__(self):
                super().__init__(BasicBlock, [2, 2, 2, 2])
                self.inplanes = 16
                self.conv1 = nn.Conv2d(3, 16, 7, 2, 3, bias=False)
                self.bn1 = nn.BatchNorm2d(16)
                self.layer1 = self._make_layer(BasicBlock, 16, 2)
                self.layer2 = self._make_layer(BasicBlock, 32, 2, stride=2)
                self.layer3 = self._make_layer(BasicBlock, 64, 2, stride=2)
                self.layer4 = self._make_layer(BasicBlock, 128, 2, stride=2)

        class LastLevelP6(ExtraFPNBlock):  # P6 from C5 by a stride-2 3x3 conv, as stlab's FPN.
            def __init__(self, c5, out):
                super().__init__()
                self.p6 = nn.Conv2d(c5, out, 3, 2, 1)

            def forward(self, results, x, names):
                results.append(self.p6(x[-1]))
                names.append("p6")
                return results, names

        backbone = BackboneWithFPN(QuarterResNet18(), {"layer2": "0", "layer3": "1", "layer4": "2"},
                                   [32, 64, 128], 64, extra_blocks=LastLevelP6(128, 64))
        strides, anchor_size = [8, 16, 32, 64], 2.0
    else:
        backbone = resnet_fpn_backbone(backbone_name="resnet18", weights=None, trainable_layers=5,
                                       norm_layer=nn.BatchNorm2d, returned_layers=[2, 3, 4],
                                       extra_blocks=LastLevelP6P7(512, 256))
        strides, anchor_size = [8, 16, 32, 64, 128], 4.0
    sizes = tuple(tuple(anchor_size * s * 2 ** (i / 3) for i in range(3)) for s in strides)
    anchors = AnchorGenerator(sizes, ((0.5, 1.0, 2.0),) * len(strides))
    model = RetinaNet(backbone, NUM_CLASSES + 1, anchor_generator=anchors, min_size=size, max_size=size,
                      score_thresh=score_thresh, nms_thresh=0.5, detections_per_img=100, topk_candidates=1000)
    if tiny:  # Two-conv towers, as the shipped tiny config.
        model.head.classification_head.conv = model.head.classification_head.conv[:2]
        model.head.regression_head.conv = model.head.regression_head.conv[:2]
    return model


def peer_train_step(tiny, size, min_time):
    from torch.utils.flop_counter import FlopCounterMode
    torch.manual_seed(0)
    model = torchvision_retinanet(tiny, size).train()
    g = torch.Generator().manual_seed(0)
    images = [torch.rand(3, size, size, generator=g) for _ in range(BATCH)]
    targets = synthetic_targets(size, g)
    sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        sgd.zero_grad()
        loss = sum(model(images, targets).values())
        loss.backward()
        sgd.step()

    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(images, targets)
    return time_peer(step, min_time), 3.0 * counter.get_total_flops()


def peer_inference(tiny, size, min_time):
    torch.manual_seed(0)
    model = torchvision_retinanet(tiny, size, score_thresh=0.0).eval()
    g = torch.Generator().manual_seed(0)
    images = [torch.rand(3, size, size, generator=g) for _ in range(BATCH)]

    def infer():
        with torch.no_grad():
            model(images)

    return time_peer(infer, min_time)


def peer_conv_peak(min_time):
    """benchmarks/conv_peak_benchmark.cc's cases through F.conv2d: both layouts."""
    best = 0.0
    for channels, px in ((64, 64), (128, 32), (256, 32)):
        for layout in (torch.contiguous_format, torch.channels_last):
            x = torch.randn(8, channels, px, px).contiguous(memory_format=layout)
            w = (torch.randn(channels, channels, 3, 3) * 0.01).contiguous(memory_format=layout)
            t = time_peer(lambda: torch.nn.functional.conv2d(x, w, padding=1), min_time / 6)
            best = max(best, 2.0 * 8 * channels * px * px * channels * 9 / t)
    return best


def peer_augment(preset, min_time):
    """torchvision transforms v2 for Aug-S1 (flip + scale jitter + crop) and Aug-S4
    (+ RandAugment 2 ops at the top magnitude); on a 640 px image, 5 boxes, a mask.
    Aug-S2/S3 use the detection AutoAugment policies, which torchvision lacks."""
    from torchvision import tv_tensors
    from torchvision.transforms import v2
    lo, hi = {"aug_s1": (0.8, 1.2), "aug_s4": (0.5, 2.0)}[preset]
    ops = [v2.RandomHorizontalFlip(0.5), v2.ScaleJitter((640, 640), (lo, hi)),
           v2.RandomCrop(640, pad_if_needed=True), v2.SanitizeBoundingBoxes()]
    if preset == "aug_s4":
        ops.append(v2.RandAugment(num_ops=2, magnitude=10, num_magnitude_bins=11))
    pipeline = v2.Compose(ops)
    if preset == "aug_s4":
        # NOTE: v2.RandAugment refuses boxes and masks, so it runs on the image alone:
        # less work than stlab's, whose geometric ops also move boxes and mask.
        geometric, randaugment = v2.Compose(ops[:-1]), ops[-1]

        def pipeline(sample):
            out = geometric(sample)
            out["image"] = randaugment(out["image"])
            return out
    torch.manual_seed(0)
    image = tv_tensors.Image((torch.rand(3, 640, 640) * 255).to(torch.uint8))
    boxes = torch.tensor([[40 + 110 * i, 60 + 90 * i, 120 + 120 * i, 180 + 90 * i] for i in range(5)],
                         dtype=torch.float32)
    sample = {"image": image, "boxes": tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=(640, 640)),
              "mask": tv_tensors.Mask(torch.zeros(640, 640, dtype=torch.uint8)), "labels": torch.arange(5)}
    return time_peer(lambda: pipeline(sample), min_time)


def peer_miou(min_time):
    """The usual PyTorch confusion-matrix mIoU (argmax, bincount) on the data of
    plugins/evaluation/miou_evaluator_benchmark.cc: 32 images, 256 px, 9 classes."""
    c = 9
    torch.manual_seed(0)
    masks = [torch.randint(0, c, (256, 256), dtype=torch.uint8) for _ in range(32)]
    for m in masks:
        m[:8] = 255
    probs = [torch.softmax(torch.randn(c, 256, 256), 0) for _ in range(32)]

    def evaluate():
        confusion = torch.zeros(c * c, dtype=torch.int64)
        for m, p in zip(masks, probs):
            truth = m.reshape(-1).long()
            valid = truth != 255
            confusion += torch.bincount(truth[valid] * c + p.argmax(0).reshape(-1)[valid], minlength=c * c)
        confusion = confusion.reshape(c, c)
        tp = confusion.diag()
        union = confusion.sum(0) + confusion.sum(1) - tp
        return (tp[union > 0] / union[union > 0]).mean()

    return time_peer(evaluate, min_time)


def read_json(path):
    if path.exists():
        return json.loads(path.read_text())
    with gzip.open(str(path) + ".gz", "rt") as f:
        return json.load(f)


def coco_eval(module, case):
    """pycocotools-style COCOeval (module = pycocotools or faster_coco_eval): load,
    evaluate, accumulate, summarize; returns the 12 stats. Seconds timed by caller."""
    import contextlib
    import io
    d = fixture_dir(case)
    gt_data, dets = read_json(d / "gt.json"), read_json(d / "dets.json")
    with contextlib.redirect_stdout(io.StringIO()):
        if module == "pycocotools":
            from pycocotools.coco import COCO
            from pycocotools.cocoeval import COCOeval
        else:
            from faster_coco_eval import COCO
            from faster_coco_eval import COCOeval_faster as COCOeval
        gt = COCO()
        gt.dataset = gt_data
        gt.createIndex()
        ev = COCOeval(gt, gt.loadRes(dets), "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(s) for s in ev.stats]


def time_coco(module, case, min_time):
    stats = None

    def run():
        nonlocal stats
        stats = coco_eval(module, case)

    return time_peer(run, min_time), stats


def stlab_coco_stats(build, case):
    """stlab's 12 stats through `stlab evaluate coco` (None when the CLI is not built)."""
    cli = build / "bin" / "stlab"
    if not cli.exists():
        return None
    d = fixture_dir(case)
    gt = d / "gt.json" if (d / "gt.json").exists() else Path(str(d / "gt.json") + ".gz")
    dets = d / "dets.json" if (d / "dets.json").exists() else Path(str(d / "dets.json") + ".gz")
    out = build / f"coco_stats_{case}.json"
    subprocess.run([str(cli), "evaluate", "coco", "--gt", str(gt), "--dets", str(dets), "--json", str(out)],
                   check=True, capture_output=True)
    return [float(s) for s in json.loads(out.read_text()).values()]  # AP, AP50, ..., ARl in order


# ---------------------------------------------------------------- harness
class Row:
    def __init__(self, measure, target=None, unit="ms"):
        self.measure, self.target, self.unit = measure, target, unit
        self.stlab, self.peer = [], []

    def best(self):
        """Each side's fastest repeat (seconds): load from other processes on a shared
        machine only ever adds time, so the minimum is the estimate least disturbed by
        it (timeit's rule), and both sides get the same statistic; the conv peak is
        likewise the best of its repeats."""
        return min(self.stlab), min(self.peer)

    def ratio(self):
        if not self.stlab or not self.peer:
            return None
        s, p = self.best()
        return p / s


def fmt_time(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--quick", action="store_true", help="one repeat, shorter runs, medium COCO case only")
    parser.add_argument("--repeats", type=int, default=None, help="alternating repeats per side (default 5; --quick: 1)")
    parser.add_argument("--only", default="", help="comma-separated row groups: train,infer,coco,augment,miou,data")
    parser.add_argument("--models", default="tiny,R18", help="comma-separated models of the train/infer rows")
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 5)
    min_time = 0.2 if args.quick else 0.5
    groups = set(filter(None, args.only.split(","))) or {"train", "infer", "coco", "augment", "miou", "data"}
    torch.set_num_threads(1)
    b = args.build

    rows, extra = [], []
    conv_peak_stlab, conv_peak_peer = [], []
    flops = {}

    def add(row):
        rows.append(row)
        return row

    train_cases = [("train step, tiny RetinaNet, 128 px", True, 128, "BM_TinyRetinaNetTrainStep/px:128", 1.3),
                   ("train step, R18-FPN RetinaNet, 256 px", False, 256, "BM_ResNet18FpnRetinaNetTrainStep/px:256", 1.0)]
    infer_cases = [("inference+NMS, tiny RetinaNet, 256 px", True, 256, "BM_TinyRetinaNetInferenceNms/px:256", 1.3),
                   ("inference+NMS, R18-FPN RetinaNet, 256 px", False, 256, "BM_ResNet18FpnRetinaNetInferenceNms/px:256", 1.3)]
    models = args.models.split(",")
    train_cases = [c for c in train_cases if any(m in c[0] for m in models)]
    infer_cases = [c for c in infer_cases if any(m in c[0] for m in models)]
    coco_cases = ["medium"] if args.quick else ["medium", "large"]
    if "large" in coco_cases and not fixture_dir("large").exists():
        print(f"note: {fixture_dir('large')} absent; the large COCO case is skipped", file=sys.stderr)
        coco_cases.remove("large")
    coco_rows = {}
    have_fixtures = fixture_dir("medium").exists()

    for r in range(repeats):
        print(f"repeat {r + 1}/{repeats}", file=sys.stderr, flush=True)
        if "train" in groups:
            # Every shape of the conv-peak case; the best of them is the peak.
            out = subprocess.run([str(b / "bin" / "conv_peak_benchmark"), "--benchmark_format=json",
                                  f"--benchmark_min_time={min_time / 6}"], check=True, capture_output=True,
                                 text=True, env=dict(os.environ, OMP_NUM_THREADS="1")).stdout
            best = 0.0
            for x in json.loads(out)["benchmarks"]:
                fields = dict(kv.split(":") for kv in x["name"].split("/")[1:] if ":" in kv)
                c, px = int(fields["channels"]), int(fields["px"])
                best = max(best, 2.0 * 8 * c * px * px * c * 9 / (x["cpu_time"] * UNIT[x["time_unit"]]))
            conv_peak_stlab.append(best)
            conv_peak_peer.append(peer_conv_peak(min_time))
            for label, tiny, size, name, target in train_cases:
                row = next((x for x in rows if x.measure == label), None) or add(Row(label, target))
                t, bm = run_stlab(b, "train_step_benchmark", name, min_time)
                row.stlab.append(t)
                flops[(label, "stlab")] = bm["GFLOP_per_step"] * 1e9
                t, f = peer_train_step(tiny, size, min_time)
                row.peer.append(t)
                flops[(label, "peer")] = f
        if "infer" in groups:
            for label, tiny, size, name, target in infer_cases:
                row = next((x for x in rows if x.measure == label), None) or add(Row(label, target))
                row.stlab.append(run_stlab(b, "inference_benchmark", name, min_time)[0])
                row.peer.append(peer_inference(tiny, size, min_time))
        if "coco" in groups and have_fixtures:
            for case in coco_cases:
                for module, target in (("pycocotools", 10.0), ("faster_coco_eval", 1.5)):
                    if module == "pycocotools" and case == "large":
                        continue  # Minutes on 450k detections; the medium case measures it.
                    label = f"COCO eval {case} (load+eval), vs {module}"
                    row = next((x for x in rows if x.measure == label), None) or add(Row(label, target))
                    row.stlab.append(run_stlab(b, "coco_eval_benchmark", f"BM_LoadAndEvaluate/{case}/1", min_time)[0])
                    t, stats = time_coco(module, case, min_time if case == "medium" else 0.0)
                    row.peer.append(t)
                    coco_rows[(case, module)] = stats
        if "augment" in groups:
            for preset in ("aug_s1", "aug_s4"):
                label = f"{preset.replace('aug_s', 'Aug-S')} preset, 640 px (transforms v2)"
                row = next((x for x in rows if x.measure == label), None) or add(Row(label))
                row.stlab.append(run_stlab(b, "augment_benchmark", f"BM_Preset/{preset}", min_time)[0])
                row.peer.append(peer_augment(preset, min_time))
        if "miou" in groups:
            row = next((x for x in rows if x.measure.startswith("mIoU")), None) or add(
                Row("mIoU eval, 32 x 256 px, 9 classes (torch bincount)"))
            row.stlab.append(run_stlab(b, "evaluation_benchmark", "BM_MeanIouEvaluation", min_time)[0])
            row.peer.append(peer_miou(min_time))
        if "data" in groups:
            # Aug-S4 data pipeline vs the tiny detector's consumption, both stlab, at the
            # quickstart's settings: "stlab" = pipeline s/image (2 loader threads, real
            # time), "peer" = model s/image at 2 threads.
            # NOTE: a 2-thread training step on a loaded 2-core machine stalls in
            # OpenMP barriers (real time several times CPU time), which would flatter
            # the pipeline. The model's rate is therefore taken as twice its 1-thread
            # rate (CPU time), the most 2 threads can reach: the ratio is a lower bound.
            label = "Aug-S4 pipeline / tiny model consumption (quickstart: 128 px, 2 threads)"
            row = next((x for x in rows if x.measure == label), None) or add(Row(label, 3.0, unit="img/s"))
            _, bm = run_stlab(b, "augment_benchmark", "BM_AugS4DataPipelineQuickstart/workers:2", min_time, threads=2)
            row.stlab.append(1.0 / bm["images/s"])
            t, _ = run_stlab(b, "train_step_benchmark", "BM_TinyRetinaNetTrainStep/px:128", min_time)
            row.peer.append(t / BATCH / 2.0)

    # stlab must equal the reference stats bitwise (pycocotools 2.0.11 on numpy 1.24,
    # fixtures README); this run's peers may differ in the last bits where their numpy
    # sums differently, so they are shown as their largest difference.
    identical = {}
    for case in coco_cases:
        if not have_fixtures or "coco" not in groups:
            break
        expected = json.loads((fixture_dir(case) / "expected.json").read_text())["stats"]
        got = {"stlab": stlab_coco_stats(b, case), "pycocotools": coco_rows.get((case, "pycocotools")),
               "faster_coco_eval": coco_rows.get((case, "faster_coco_eval"))}
        identical[case] = {k: None if v is None else max(abs(x - y) for x, y in zip(v, expected))
                           for k, v in got.items()}
    # ------------------------------------------------------------ table
    lines = ["| measure | stlab | peer | ratio (peer/stlab) | target | met? |", "|---|---|---|---|---|---|"]
    for row in rows:
        ratio = row.ratio()
        s, p = row.best()
        if row.unit == "img/s":
            cells = (f"{1 / s:.0f} img/s (pipeline)", f"{1 / p:.0f} img/s (model, <= 2 x 1 thread)")
        else:
            cells = (fmt_time(s), fmt_time(p))
        met = "" if row.target is None else ("yes" if ratio >= row.target else "NO")
        target = "" if row.target is None else f">= {row.target:g}x"
        lines.append(f"| {row.measure} | {cells[0]} | {cells[1]} | {ratio:.2f}x | {target} | {met} |")
    if conv_peak_stlab:
        # The machine's peak: the best of both sides' measurements (same oneDNN kernels).
        peak = max(conv_peak_stlab + conv_peak_peer)
        lines.append(f"| conv 3x3 peak, 1 thread, NCHW or NHWC (at::conv2d / F.conv2d) | {peak / 1e9:.1f} GFLOP/s | "
                     f"{max(conv_peak_peer) / 1e9:.1f} GFLOP/s | | | |")
        for label, _, _, _, _ in train_cases:
            row = next(x for x in rows if x.measure == label)
            gs = flops[(label, "stlab")] / row.best()[0]
            gp = flops[(label, "peer")] / row.best()[1]
            is_r18 = "R18" in label
            met = ("yes" if gs >= 0.6 * peak else "NO") if is_r18 else ""
            lines.append(f"| {label.replace('train step', 'direct-equivalent GFLOP/s, train step')} (% of conv peak) | {gs / 1e9:.1f} "
                         f"({100 * gs / peak:.0f}%) | {gp / 1e9:.1f} ({100 * gp / peak:.0f}%) | | "
                         f"{'>= 60% of peak' if is_r18 else ''} | {met} |")
        # Inference runs the training forward's convolutions once: a third of the
        # step's FLOPs, where a training case of the same model and size ran. All rates
        # count direct-convolution FLOPs: stlab's Winograd layers
        # (core/ops/conv2d.h) multiply less, so its rates are direct-equivalent
        # and may pass the direct peak.
        for label, tiny, size, _, _ in infer_cases:
            train = next((c[0] for c in train_cases if c[1] == tiny and c[2] == size), None)
            row = next((x for x in rows if x.measure == label), None)
            if train is None or row is None:
                continue
            gs = flops[(train, "stlab")] / 3 / row.best()[0]
            gp = flops[(train, "peer")] / 3 / row.best()[1]
            lines.append(f"| {label.replace('inference+NMS', 'direct-equivalent GFLOP/s, inference+NMS')} (% of conv peak) | "
                         f"{gs / 1e9:.1f} ({100 * gs / peak:.0f}%) | {gp / 1e9:.1f} ({100 * gp / peak:.0f}%) | | | |")
    for case, diffs in identical.items():
        text = "; ".join(f"{k}: {'not run' if d is None else ('bitwise' if d == 0 else f'max diff {d:.1e}')}"
                         for k, d in diffs.items())
        ok = diffs["stlab"] == 0 and all(d is None or d <= 1e-12 for d in diffs.values())
        lines.append(f"| COCO {case}: 12 stats vs reference (expected.json) | {text} (numpy {numpy.__version__}) "
                     f"| | | stlab bitwise | {'yes' if ok else 'NO'} |")
    print(f"\nstlab vs peers: torch {torch.__version__}, best of {repeats} alternating repeat(s) per side, 1 thread unless noted\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
