#!/usr/bin/python3
"""Golden values for org.itaestudio.store.Half (float32 <-> IEEE binary16), computed with numpy's float16.

Run with Debian's numpy:  /usr/bin/python3 tools/make_half_fixtures.py
Writes src/test/resources/store/half_fixtures.json (a few KB):
  - "edge": named float32 inputs with numpy's float16 bits, for readable failures;
  - "decode_all_sha256": SHA-256 of the little-endian float32 bits of all 65536 halves converted to float32;
  - "encode_ties_sha256": SHA-256 of the little-endian float16 bits of the tie sweep (every midpoint between two
    adjacent finite halves, and its float32 neighbours, both signs), inputs generated as HalfTest does;
  - "encode_weyl_sha256": SHA-256 of the float16 bits of 2^20 float32 bit patterns bits_i = i * 0x9E3779B1 mod 2^32.
The Java test rebuilds the same inputs from the same rules, so no large arrays are committed.
"""
import hashlib
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "store",
                   "half_fixtures.json")


def f32_bits(x):
    return int(np.array([x], dtype=np.float32).view(np.uint32)[0])


def to_half_bits(bits_u32):
    a = np.asarray(bits_u32, dtype=np.uint32).view(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        return a.astype(np.float16).view(np.uint16)


def sha256_le(arr):
    return hashlib.sha256(np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()).hexdigest()


def tie_inputs():
    # midpoints between every pair of adjacent positive finite halves (0x0000..0x7bfe -> next), and 65520
    # (midpoint of 65504 and the first unrepresentable 65536); each with its float32 neighbours; then negatives.
    h = np.arange(0, 0x7bff, dtype=np.uint16)
    lo = h.view(np.float16).astype(np.float64)
    hi = (h + 1).astype(np.uint16).view(np.float16).astype(np.float64)
    mid = ((lo + hi) / 2).astype(np.float32).view(np.uint32).astype(np.int64)
    mid = np.append(mid, f32_bits(65520.0))
    trip = np.stack([mid - 1, mid, mid + 1], axis=1).reshape(-1)  # [m0-1, m0, m0+1, m1-1, ...]
    pos = trip.astype(np.uint32)
    neg = pos | np.uint32(0x80000000)
    return np.concatenate([pos, neg])


def weyl_inputs(n=1 << 20):
    i = np.arange(n, dtype=np.uint64)
    return ((i * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def edge_cases():
    named = [
        ("+0", 0.0), ("-0", -0.0), ("one", 1.0), ("minus one", -1.0), ("pi", np.pi), ("e", np.e),
        ("1/3", 1.0 / 3.0), ("0.1", 0.1),
        ("max half 65504", 65504.0), ("65519 rounds down", 65519.0), ("65520 tie rounds to inf", 65520.0),
        ("-65520 tie rounds to -inf", -65520.0), ("65536", 65536.0), ("1e10", 1e10), ("float max", 3.4028235e38),
        ("+inf", np.inf), ("-inf", -np.inf),
        ("min normal half 2^-14", 2.0 ** -14), ("min subnormal half 2^-24", 2.0 ** -24),
        ("max subnormal half 1023*2^-24", 1023 * 2.0 ** -24),
        ("tie max subnormal/min normal 1023.5*2^-24 -> even (normal)", 1023.5 * 2.0 ** -24),
        ("2^-25 tie -> 0", 2.0 ** -25), ("-2^-25 tie -> -0", -(2.0 ** -25)),
        ("3*2^-25 tie -> 2*2^-24", 3 * 2.0 ** -25), ("5*2^-25 tie -> 2*2^-24", 5 * 2.0 ** -25),
        ("2^-26 -> 0", 2.0 ** -26), ("float min subnormal", 1.4e-45), ("float min normal", 1.17549435e-38),
        ("1+2^-11 tie -> 1", 1 + 2.0 ** -11), ("1+3*2^-11 tie -> 1+2^-9", 1 + 3 * 2.0 ** -11),
        ("1+2^-11+2^-23 rounds up", 1 + 2.0 ** -11 + 2.0 ** -23), ("2048+1 tie -> 2048", 2049.0),
        ("2048+3 tie -> 2052", 2051.0),
    ]
    cases = [(label, f32_bits(v)) for label, v in named]
    just_above_tie = f32_bits(2.0 ** -25) + 1
    cases.append(("just above 2^-25 -> 2^-24", just_above_tie))
    cases.append(("just below 2^-25 -> 0", f32_bits(2.0 ** -25) - 1))
    cases.append(("just below 65520 -> 65504", f32_bits(65520.0) - 1))
    # NaNs: the canonical quiet NaN, negative NaN, a payload in the kept bits, and a payload only in dropped bits
    for label, bits in [("qNaN 0x7fc00000", 0x7FC00000), ("-qNaN 0xffc00000", 0xFFC00000),
                        ("NaN payload 0x7fc02000", 0x7FC02000), ("sNaN 0x7f800001 (payload only in dropped bits)", 0x7F800001),
                        ("sNaN 0x7fa00000", 0x7FA00000)]:
        cases.append((label, bits))
    halves = to_half_bits(np.array([b for _, b in cases], dtype=np.uint32))
    return [{"label": label, "f32": int(b), "f16": int(hb)} for (label, b), hb in zip(cases, halves)]


def main():
    all_halves = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    decoded = all_halves.view(np.float16).astype(np.float32).view(np.uint32)
    ties = tie_inputs()
    weyl = weyl_inputs()
    doc = {
        "generator": "tools/make_half_fixtures.py with numpy " + np.__version__,
        "edge": edge_cases(),
        "decode_all_sha256": sha256_le(decoded),
        "encode_ties_count": int(ties.size),
        "encode_ties_sha256": sha256_le(to_half_bits(ties)),
        "encode_weyl_count": int(weyl.size),
        "encode_weyl_sha256": sha256_le(to_half_bits(weyl)),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(OUT), "edge cases:", len(doc["edge"]))


if __name__ == "__main__":
    main()
