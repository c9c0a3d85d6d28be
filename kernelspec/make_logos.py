#!/usr/bin/python3
"""Draws Ember's logo -- a flame -- as logo-32x32.png and logo-64x64.png.

Run once; the PNGs are committed beside this script (`ember kernelspec
install` copies them with logo-svg.svg). Standard library only: the image
is computed per pixel and written with zlib and struct.

The flame is the same shape as logo-svg.svg: an outer teardrop (red to
orange, bottom to top) with an inner one (yellow to white), on a
transparent background. Each pixel is supersampled 4x4 for smooth edges.
"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def teardrop(x, y, cx, base, width, height):
    """True if (x, y) lies in a flame-like teardrop: round at the bottom
    (centre cx, lowest point `base`), narrowing to a tip `height` above."""
    t = (base - y) / height            # 0 at the bottom, 1 at the tip
    if t < 0 or t > 1:
        return False
    if t < 0.35:                       # the round bottom: a half circle
        half = width / 2 * math.sqrt(1 - ((0.35 - t) / 0.35) ** 2)
    else:                              # then narrowing to a sharp tip
        half = width / 2 * ((1 - t) / 0.65) ** 1.6
    # the tip bends to the right, as a flickering flame does
    lean = 0.35 * width * math.sin(math.pi * t) * t * t
    return abs(x - cx - lean) <= half


def lerp(a, b, t):
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))


def colour(x, y):
    """RGBA of the point (x, y) in a unit square (y grows downwards)."""
    if teardrop(x, y, 0.50, 0.90, 0.34, 0.52):
        t = (0.90 - y) / 0.52
        return lerp((255, 214, 64), (255, 250, 220), t) + (255,)
    if teardrop(x, y, 0.48, 0.97, 0.66, 0.94):
        t = (0.95 - y) / 0.92
        return lerp((200, 30, 20), (255, 140, 20), t) + (255,)
    return (0, 0, 0, 0)


def pixel(px, py, size, ss=4):
    acc = [0, 0, 0, 0]
    for sy in range(ss):
        for sx in range(ss):
            r, g, b, a = colour((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size)
            acc[0] += r * a
            acc[1] += g * a
            acc[2] += b * a
            acc[3] += a
    if not acc[3]:
        return (0, 0, 0, 0)
    return (acc[0] // acc[3], acc[1] // acc[3], acc[2] // acc[3], acc[3] // (ss * ss))


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(size):
    rows = b"".join(b"\x00" + bytes(v for x in range(size) for v in pixel(x, y, size))
                    for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    for size in (32, 64):
        path = os.path.join(HERE, f"logo-{size}x{size}.png")
        with open(path, "wb") as f:
            f.write(png(size))
        print("wrote", path)
