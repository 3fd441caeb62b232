#!/usr/bin/env python3
"""Checks that PNG files decode: signature, chunk CRCs, IHDR, and that the
inflated IDAT stream holds exactly height rows of width pixels (8-bit grey or RGB).
Prints "WIDTHxHEIGHTxCHANNELS" per file; exits 1 on the first bad file.
Usage: check_png.py FILE..."""
import struct
import sys
import zlib

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def check(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in chunk {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise ValueError("no IHDR")
    width, height, depth, color = header[:4]
    if depth != 8 or color not in CHANNELS:
        raise ValueError(f"unexpected bit depth {depth} / colour type {color}")
    channels = CHANNELS[color]
    if len(zlib.decompress(idat)) != height * (1 + width * channels):
        raise ValueError("pixel data does not fill the image")
    return f"{width}x{height}x{channels}"


for path in sys.argv[1:]:
    try:
        print(check(path))
    except (OSError, ValueError, struct.error, zlib.error) as error:
        print(f"{path}: {error}", file=sys.stderr)
        sys.exit(1)
