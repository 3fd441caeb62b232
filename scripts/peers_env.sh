#!/usr/bin/env bash
# Creates the peers' Python environment for the benchmark comparison
# (benchmarks/compare_peers.py): a venv in ${STLAB_DEPS_DIR:-~/.cache/stlab}/peers-venv
# with the torch that stlab's LibTorch comes from (same wheel, same version),
# torchvision, pycocotools and faster-coco-eval, all from PyPI. Fast when present.
# Prints the venv's python on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deps.env
source "$here/deps.env"
deps_dir="${STLAB_DEPS_DIR:-$HOME/.cache/stlab}"
venv="$deps_dir/peers-venv"
python="$venv/bin/python"

# NOTE: torchvision 0.29.1 is the release paired with torch 2.14.1 (x.y.1 with 0.z.1);
# its wheel asks only torch>=2.14.0, so the pin lives here.
torchvision_version=0.29.1
pycocotools_version=2.0.11
faster_coco_eval_version=1.8.0
wanted="torch=$STLAB_TORCH_VERSION torchvision=$torchvision_version pycocotools=$pycocotools_version faster_coco_eval=$faster_coco_eval_version"
stamp="$venv/.stlab-peers"

# The stamp is written after an import check passed; here finding the packages is
# enough (importing torch takes seconds).
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] && "$python" -c \
    "import importlib.util as u, sys; sys.exit(not all(u.find_spec(m) for m in
     ('torch', 'torchvision', 'pycocotools', 'faster_coco_eval')))" 2>/dev/null; then
  echo "$python"
  exit 0
fi

echo "peers_env: installing $wanted into $venv" >&2
python_bin="$(command -v python3.11 || command -v python3)"
[[ -x "$python" ]] || "$python_bin" -m venv "$venv"
pip=("$python" -m pip install --quiet --disable-pip-version-check)
# The same wheel as stlab's LibTorch when scripts/setup.sh cached it, else PyPI's.
# NOTE: PyPI's Linux torch wheel is a CUDA build; `import torch` loads its CUDA
# runtime libraries even on a CPU-only machine, so its nvidia-* dependencies are
# installed too (a few GB once). The CPU-only wheels are not on PyPI.
torch_spec="torch==$STLAB_TORCH_VERSION"
for wheel in "$deps_dir"/wheels/torch-"$STLAB_TORCH_VERSION"-*.whl; do
  [[ -f "$wheel" ]] && torch_spec="$wheel"
done
"${pip[@]}" "$torch_spec" "torchvision==$torchvision_version" \
  "pycocotools==$pycocotools_version" "faster-coco-eval==$faster_coco_eval_version" >&2
"$python" - "$STLAB_TORCH_VERSION" <<'EOF' >&2
import sys, torch, torchvision
assert torch.__version__.split("+")[0] == sys.argv[1], torch.__version__
torchvision.ops.nms(torch.zeros(1, 4), torch.zeros(1), 0.5)  # C++ ops load against this torch
EOF
echo "$wanted" > "$stamp"
echo "$python"
