#!/usr/bin/env python3
"""Compares the tensor data of two stlab checkpoints (LibTorch zip archives): every
stored tensor record ("<archive>/data/<n>") must be byte-identical and the two
files must hold the same records. The rest (the pickled structure with the run
state's text, where checkpoints record what produced them) may differ: two runs of
the same training under different names write the same weights but different
config digests. Exits 1 naming the records that differ.
Usage: same_tensors.py A.pt B.pt"""
import sys
import zipfile


def tensor_records(path):
    with zipfile.ZipFile(path) as archive:
        records = {}
        for name in archive.namelist():
            parts = name.split("/", 1)  # Drop the archive's own top folder name.
            if len(parts) == 2 and parts[1].startswith("data/"):
                records[parts[1]] = archive.read(name)
        return records


def main():
    a, b = sys.argv[1], sys.argv[2]
    ra, rb = tensor_records(a), tensor_records(b)
    if not ra:
        print(f"{a}: no tensor records", file=sys.stderr)
        return 1
    differ = sorted(k for k in ra.keys() | rb.keys() if ra.get(k) != rb.get(k))
    if differ:
        print(f"{a} and {b} differ in tensor records: {', '.join(differ)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
