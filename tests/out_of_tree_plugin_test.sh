#!/usr/bin/env bash
# Installs the built stlab into a temporary prefix, builds examples/out_of_tree_plugin
# against it with find_package(stlab), validates a config that loads its
# augmentation by its `plugins` list alone, and pre-trains with its rotation
# method, with the installed stlab executable.
# Usage: out_of_tree_plugin_test.sh BUILD_DIR SOURCE_DIR TORCH_CMAKE_PREFIX
set -euo pipefail
build_dir="$1"
source_dir="$2"
torch_prefix="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cp -r "$source_dir/examples/out_of_tree_plugin" "$work/example"
cmake -S "$work/example" -B "$work/example/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix;$torch_prefix" >/dev/null
cmake --build "$work/example/build" >/dev/null

out="$("$work/prefix/bin/stlab" validate "$work/example/config.toml")"
grep -q 'type = "invert_colors"' <<<"$out"
grep -q "probability = 0.25" <<<"$out"
show="$("$work/prefix/bin/stlab" plugins show invert_colors \
          --plugin_path="$work/example/build/plugins")"
grep -q "registered by plugin 'example_invert' 1.0.0" <<<"$show"
# A third pre-training method, out of tree, by config alone: it trains, writes a
# backbone and is named in result.json.
"$work/prefix/bin/stlab" pretrain "$work/example/rotation_pretrain.toml" \
  --set "run.output_dir=$work/runs" --log_level=warn >"$work/pretrain.out" 2>&1 ||
  { cat "$work/pretrain.out"; exit 1; }
[[ -f "$work/runs/rotation_pretrain/backbone.pt" ]]
grep -q '"method": "rotation"' "$work/runs/rotation_pretrain/result.json"
grep -q '"rotation_accuracy": [0-9]' "$work/runs/rotation_pretrain/result.json"
"$work/prefix/bin/stlab" plugins --plugin_path="$work/example/build/plugins" |
  sed -n '/^pretrain_method:/,/^$/p' | grep -q "rotation"
# The installed executable finds the installed in-tree plugins by itself.
"$work/prefix/bin/stlab" plugins | grep -q "loss_normalization"
echo "out-of-tree plugins: built against the install, loaded by config, a third pre-training method trained: OK"
