#!/usr/bin/python3
"""Writes the JPEG fixtures and PIL draft() goldens for ScaledJpegDecoderTest.

Run with Debian's interpreter (Pillow 9.4 on libjpeg-turbo 2.1.5, numpy):
    /usr/bin/python3 tools/jpeg_draft_reference.py
Writes src/test/resources/jpeg-fixtures/ (not under fixtures/, which tools/make_fixtures.py deletes and rebuilds).

What it writes
  * <name>.jpg: small test JPEGs. Most are written by PIL (libjpeg-turbo's encoder); the layouts PIL cannot write
    (restart intervals, 4:4:0, 4:1:1, odd sampling factors, non-interleaved scans, Adobe RGB) come from the small
    baseline encoder below, which reuses the standard Huffman tables of a PIL-written file.
  * <name>.s<k>.png: PIL's draft decode at scale 1/k (k = 2, 4, 8), as 8-bit RGB:
        im = Image.open(f); im.draft("RGB", size); im = im.convert("RGB")
    with a size that makes draft() pick exactly 1/k (checked).
  * draft_resize.tsv (+ <name>.r<n>.png for EXIF-rotated fixtures): what ImageDecoder.decodeForResize(f, n) must return: draft("RGB", (tw, th))
    with (tw, th) torchvision Resize(n)'s size for the stored image, then convert("RGB") and exif_transpose.
  * fallback.tsv: fixtures the scaled decoder must not handle (progressive, CMYK, Adobe RGB).
  * full_decode.tsv: SHA-256 of PIL's plain (scale 1) decode of each decodable fixture.
  * shared_photos_draft.tsv: SHA-256 of PIL's draft-decoded RGB bytes for every ../shared/data/photos/**/*.jpg and
    odd-images/*.jpg that PIL decodes as RGB or L (not progressive, not truncated): at the draft scale chosen for
    Resize(256) ("resize256"), at 1/2 and 1/8 (no EXIF transpose), and "forresize256": the Resize(256) draft
    after exif_transpose, i.e. what ImageDecoder.decodeForResize(f, 256) returns, when that scale is above 1.
"""
import glob
import hashlib
import io
import math
import os
import shutil
import struct
import sys
from pathlib import Path

import shared_data as shared_data_dir

import numpy as np
from PIL import Image, ImageOps, features

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "test" / "resources" / "jpeg-fixtures"


def shared_data():
    return shared_data_dir.find()


# ---------------------------------------------------------------------------------------------- test content

def test_image(w, h, seed):
    """Deterministic RGB content with smooth areas, sharp edges, saturated colours and noise."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 120 * np.sin(x / 5.0 + seed) * np.cos(y / 7.0)
    g = 255.0 * x / max(1, w - 1)
    b = 255.0 * y / max(1, h - 1)
    img = np.stack([r, g, b], axis=-1)
    # hard-edged rectangles in saturated colours
    for _ in range(6):
        x0, y0 = rng.randint(0, w), rng.randint(0, h)
        x1, y1 = min(w, x0 + rng.randint(3, max(4, w // 2))), min(h, y0 + rng.randint(3, max(4, h // 2)))
        img[y0:y1, x0:x1] = rng.choice([0, 255], size=3)
    # a noisy band
    band = slice(h // 3, h // 3 + max(2, h // 6))
    img[band] = rng.randint(0, 256, size=img[band].shape)
    # a checkerboard corner (maximal AC energy)
    c = ((x.astype(int) + y.astype(int)) % 2 == 0) & (x < w // 4) & (y > 2 * h // 3)
    img[c] = 255
    img[~c & (x < w // 4) & (y > 2 * h // 3)] = 0
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------- small encoder

ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
          21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53,
          60, 61, 54, 47, 55, 62, 63]
STD_LUMA_Q = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
              29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87,
              103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
STD_CHROMA_Q = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66,
                99, 99, 99, 99, 99, 99] + [99] * 32


def scaled_qtable(base, quality):
    scale = 5000 // quality if quality < 50 else 200 - quality * 2
    return [min(255, max(1, (q * scale + 50) // 100)) for q in base]


def standard_huffman_tables():
    """The four standard tables, taken from the DHT segments of a PIL-written (non-optimised) JPEG."""
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    tables = {}
    pos = 2
    while pos < len(data):
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker == 0xC4:
            seg = data[pos + 4:pos + 2 + length]
            i = 0
            while i < len(seg):
                tc_th = seg[i]
                bits = list(seg[i + 1:i + 17])
                n = sum(bits)
                vals = list(seg[i + 17:i + 17 + n])
                tables[(tc_th >> 4, tc_th & 15)] = (bits, vals)
                i += 17 + n
        if marker == 0xDA:
            break
        pos += 2 + length
    return tables


def huffman_codes(bits, vals):
    codes = {}
    code = 0
    k = 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[vals[k]] = (code, length)
            k += 1
            code += 1
        code <<= 1
    return codes


class BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value, length):
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)
                self.acc = 0
                self.n = 0

    def flush(self):
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)


def fdct_matrix():
    c = np.zeros((8, 8))
    for u in range(8):
        for x in range(8):
            c[u, x] = (math.sqrt(1 / 8) if u == 0 else math.sqrt(2 / 8)) * math.cos((2 * x + 1) * u * math.pi / 16)
    return c


DCT = fdct_matrix()


def encode_baseline(rgb, sampling, quality, restart=0, interleaved=True, colour="ycc", comp_ids=None):
    """A baseline JPEG: sampling = [(h, v), ...] per component (1 for gray); colour 'ycc', 'gray' or 'rgb'
    (Adobe APP14 transform 0, no JFIF); restart = MCUs per restart interval; interleaved = one scan for all
    components, else one scan per component."""
    h_img, w_img = rgb.shape[:2]
    f = rgb.astype(np.float64)
    if colour == "gray":
        planes = [0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]]
    elif colour == "rgb":
        planes = [f[..., 0], f[..., 1], f[..., 2]]
    else:
        planes = [0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2],
                  -0.168736 * f[..., 0] - 0.331264 * f[..., 1] + 0.5 * f[..., 2] + 128,
                  0.5 * f[..., 0] - 0.418688 * f[..., 1] - 0.081312 * f[..., 2] + 128]
    nc = len(planes)
    assert len(sampling) == nc
    comp_ids = comp_ids or ([1, 2, 3] if nc == 3 else [1])
    hmax = max(s[0] for s in sampling)
    vmax = max(s[1] for s in sampling)
    mcux = -(-w_img // (8 * hmax))
    mcuy = -(-h_img // (8 * vmax))
    qt = [scaled_qtable(STD_LUMA_Q, quality), scaled_qtable(STD_CHROMA_Q, quality)]
    qsel = [0] + [1] * (nc - 1) if colour != "rgb" else [0] * nc
    huff = standard_huffman_tables()
    dc_codes = [huffman_codes(*huff[(0, 0)]), huffman_codes(*huff[(0, 1)])]
    ac_codes = [huffman_codes(*huff[(1, 0)]), huffman_codes(*huff[(1, 1)])]

    # component planes: downsample by box average (edge-replicated), pad to whole MCUs
    comps = []
    for ci, plane in enumerate(planes):
        hs, vs = sampling[ci]
        fx, fy = hmax // hs, vmax // vs
        assert hmax % hs == 0 and vmax % vs == 0
        padw, padh = mcux * 8 * hmax, mcuy * 8 * vmax
        full = np.pad(plane, ((0, padh - h_img), (0, padw - w_img)), mode="edge")
        small = full.reshape(padh // fy, fy, padw // fx, fx).mean(axis=(1, 3))
        q = np.array(qt[qsel[ci]], dtype=np.float64).reshape(8, 8)
        blocks_y, blocks_x = small.shape[0] // 8, small.shape[1] // 8
        coefs = np.zeros((blocks_y, blocks_x, 64), dtype=np.int64)
        for by in range(blocks_y):
            for bx in range(blocks_x):
                blk = small[by * 8:by * 8 + 8, bx * 8:bx * 8 + 8] - 128
                d = DCT @ blk @ DCT.T
                coefs[by, bx] = np.rint(d / q).astype(np.int64).reshape(64)
        wib = -(-w_img * hs // (8 * hmax))
        hib = -(-h_img * vs // (8 * vmax))
        comps.append((coefs, wib, hib))

    def write_block(bw, coef, pred, tsel):
        diff = int(coef[0]) - pred
        size = 0 if diff == 0 else abs(diff).bit_length()
        code, length = dc_codes[tsel][size]
        bw.put(code, length)
        if size:
            bw.put(diff if diff > 0 else diff + (1 << size) - 1, size)
        run = 0
        for k in range(1, 64):
            v = int(coef[ZIGZAG[k]])
            if v == 0:
                run += 1
                continue
            while run > 15:
                code, length = ac_codes[tsel][0xF0]
                bw.put(code, length)
                run -= 16
            size = abs(v).bit_length()
            code, length = ac_codes[tsel][(run << 4) | size]
            bw.put(code, length)
            bw.put(v if v > 0 else v + (1 << size) - 1, size)
            run = 0
        if run:
            code, length = ac_codes[tsel][0x00]
            bw.put(code, length)
        return int(coef[0])

    def scan(comp_list):
        """Entropy data of one scan (list of component indexes), with restart markers."""
        out = bytearray()
        bw = BitWriter()
        preds = {ci: 0 for ci in comp_list}
        if len(comp_list) == 1:
            coefs, wib, hib = comps[comp_list[0]]
            units = [[(comp_list[0], by, bx)] for by in range(hib) for bx in range(wib)]
        else:
            units = []
            for my in range(mcuy):
                for mx in range(mcux):
                    unit = []
                    for ci in comp_list:
                        hs, vs = sampling[ci]
                        for yy in range(vs):
                            for xx in range(hs):
                                unit.append((ci, my * vs + yy, mx * hs + xx))
                    units.append(unit)
        rst = 0
        for i, unit in enumerate(units):
            if restart and i > 0 and i % restart == 0:
                bw.flush()
                out += bw.out
                out += bytes([0xFF, 0xD0 + rst])
                rst = (rst + 1) % 8
                bw = BitWriter()
                preds = {ci: 0 for ci in comp_list}
            for ci, by, bx in unit:
                tsel = 0 if (ci == 0 or colour == "rgb") else 1
                preds[ci] = write_block(bw, comps[ci][0][by, bx], preds[ci], tsel)
        bw.flush()
        out += bw.out
        return bytes(out)

    def segment(marker, payload):
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    data = bytearray(b"\xFF\xD8")
    if colour == "rgb":
        data += segment(0xEE, b"Adobe" + struct.pack(">HHHB", 100, 0, 0, 0))
    else:
        data += segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    ntables = 1 if (nc == 1 or colour == "rgb") else 2
    for t in range(ntables):
        data += segment(0xDB, bytes([t]) + bytes(qt[t][ZIGZAG[k]] for k in range(64)))
    sof = struct.pack(">BHHB", 8, h_img, w_img, nc)
    for ci in range(nc):
        sof += bytes([comp_ids[ci], (sampling[ci][0] << 4) | sampling[ci][1], qsel[ci]])
    data += segment(0xC0, sof)
    for (tc, th), (bits, vals) in sorted(huff.items()):
        if th < ntables:
            data += segment(0xC4, bytes([(tc << 4) | th]) + bytes(bits) + bytes(vals))
    if restart:
        data += segment(0xDD, struct.pack(">H", restart))
    scans = [list(range(nc))] if interleaved else [[ci] for ci in range(nc)]
    for comp_list in scans:
        sos = bytes([len(comp_list)])
        for ci in comp_list:
            t = 0 if (ci == 0 or colour == "rgb") else 1
            sos += bytes([comp_ids[ci], (t << 4) | t])
        sos += bytes([0, 63, 0])
        data += segment(0xDA, sos)
        data += scan(comp_list)
    data += b"\xFF\xD9"
    return bytes(data)


# ---------------------------------------------------------------------------------------------- fixtures

def pil_jpeg(rgb, mode="RGB", **options):
    im = Image.fromarray(rgb, "RGB")
    if mode != "RGB":
        im = im.convert(mode)
    buf = io.BytesIO()
    im.save(buf, "JPEG", **options)
    return buf.getvalue()


def exif_bytes(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def fixtures():
    """name -> JPEG bytes; names starting with 'fallback_' must be left to the full decoder."""
    f = {}
    a = test_image(131, 67, 1)
    b = test_image(37, 29, 2)
    c = test_image(200, 150, 3)
    d = test_image(64, 48, 4)
    f["pil_444_q95_131x67"] = pil_jpeg(a, quality=95, subsampling=0)
    f["pil_444_q50_37x29"] = pil_jpeg(b, quality=50, subsampling=0)
    f["pil_422_q50_131x67"] = pil_jpeg(a, quality=50, subsampling=1)
    f["pil_422_q95_37x29"] = pil_jpeg(b, quality=95, subsampling=1)
    f["pil_420_q95_131x67"] = pil_jpeg(a, quality=95, subsampling=2)
    f["pil_420_q50_37x29"] = pil_jpeg(b, quality=50, subsampling=2)
    f["pil_420_q75_200x150"] = pil_jpeg(c, quality=75, subsampling=2)
    f["pil_422_q90_200x150"] = pil_jpeg(c, quality=90, subsampling=1)
    f["pil_gray_q95_131x67"] = pil_jpeg(a, mode="L", quality=95)
    f["pil_gray_q50_37x29"] = pil_jpeg(b, mode="L", quality=50)
    f["pil_422_exif6_64x48"] = pil_jpeg(d, quality=90, subsampling=1, exif=exif_bytes(6))
    f["pil_420_exif3_37x29"] = pil_jpeg(b, quality=80, subsampling=2, exif=exif_bytes(3))
    f["enc_420_rst3_q90_131x67"] = encode_baseline(a, [(2, 2), (1, 1), (1, 1)], 90, restart=3)
    f["enc_422_rst1_q50_37x29"] = encode_baseline(b, [(2, 1), (1, 1), (1, 1)], 50, restart=1)
    f["enc_444_rst7_q95_37x29"] = encode_baseline(b, [(1, 1), (1, 1), (1, 1)], 95, restart=7)
    f["enc_gray_rst5_q80_131x67"] = encode_baseline(a, [(1, 1)], 80, restart=5, colour="gray")
    f["enc_440_q90_131x67"] = encode_baseline(a, [(1, 2), (1, 1), (1, 1)], 90)
    f["enc_440_q50_37x29"] = encode_baseline(b, [(1, 2), (1, 1), (1, 1)], 50)
    f["enc_411_q90_131x67"] = encode_baseline(a, [(4, 1), (1, 1), (1, 1)], 90)
    f["enc_y22_c12_q85_131x67"] = encode_baseline(a, [(2, 2), (1, 2), (1, 2)], 85)
    f["enc_y22_c21_q85_37x29"] = encode_baseline(b, [(2, 2), (2, 1), (2, 1)], 85)
    f["enc_420_noninterleaved_q85_131x67"] = encode_baseline(a, [(2, 2), (1, 1), (1, 1)], 85, interleaved=False)
    f["enc_420_noninterleaved_rst2_q60_37x29"] = encode_baseline(b, [(2, 2), (1, 1), (1, 1)], 60, restart=2,
                                                                  interleaved=False)
    f["enc_gray_h2v2_q85_37x29"] = encode_baseline(b, [(2, 2)], 85, colour="gray")
    f["enc_420_ids_q70_64x48"] = encode_baseline(d, [(2, 2), (1, 1), (1, 1)], 70, comp_ids=[0, 1, 2])
    f["fallback_progressive_420"] = pil_jpeg(a, quality=85, subsampling=2, progressive=True)
    f["fallback_cmyk"] = pil_jpeg(b, mode="CMYK", quality=90)
    f["fallback_adobe_rgb"] = encode_baseline(b, [(1, 1), (1, 1), (1, 1)], 90, colour="rgb")
    return f


def draft_decode(data, size):
    im = Image.open(io.BytesIO(data))
    stored = im.size
    im.draft("RGB", size)
    scale = im.decoderconfig[0] if im.decoderconfig else 1
    return im.convert("RGB"), stored, scale


def resized_size(w, h, n):
    """torchvision Resize(n) for a PIL image: shorter side n, longer int(n * long / short)."""
    if w <= h:
        return n, int(n * h / w)
    return int(n * w / h), n


def save_png(im, path):
    im.save(path, "PNG", optimize=True)


def main():
    print("Pillow", Image.__version__, "libjpeg", features.version("jpg"),
          "turbo" if features.check_feature("libjpeg_turbo") else "")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    fx = fixtures()
    fallback_rows = []
    resize_rows = []
    full_rows = []
    for name, data in fx.items():
        (OUT / f"{name}.jpg").write_bytes(data)
        if name.startswith("fallback_"):
            fallback_rows.append(name)
            continue
        w, h = Image.open(io.BytesIO(data)).size
        full = Image.open(io.BytesIO(data)).convert("RGB")  # scale 1: a plain decode, kept as a hash only
        full_rows.append((name, full.size[0], full.size[1], hashlib.sha256(full.tobytes()).hexdigest()))
        for k in (2, 4, 8):
            im, _, scale = draft_decode(data, (max(1, w // k), max(1, h // k)))
            assert scale == k and im.size == (-(-w // k), -(-h // k)), (name, k, scale, im.size)
            save_png(im, OUT / f"{name}.s{k}.png")
        # decodeForResize: a few resize values per fixture, exif_transpose applied
        for n in (4, 9, 17, 33):
            tw, th = resized_size(w, h, n)
            im, _, scale = draft_decode(data, (tw, th))
            upright = ImageOps.exif_transpose(im)
            golden = "-"
            if scale > 1 and upright.tobytes() == im.tobytes() and upright.size == im.size:
                golden = f"{name}.s{scale}.png"  # same pixels as the scale golden
            elif scale > 1:
                golden = f"{name}.r{n}.png"
                save_png(upright, OUT / golden)
            resize_rows.append((name, n, scale, upright.size[0], upright.size[1], golden))
    with open(OUT / "draft_resize.tsv", "w") as out:
        out.write("# fixture\tresize\tdraft_scale\twidth\theight\tgolden PNG (after exif_transpose; - when scale 1)\n")
        for row in resize_rows:
            out.write("\t".join(map(str, row)) + "\n")
    with open(OUT / "full_decode.tsv", "w") as out:
        out.write("# fixture\twidth\theight\tsha256 of PIL's plain decode (scale 1) as RGB\n")
        for row in full_rows:
            out.write("\t".join(map(str, row)) + "\n")
    with open(OUT / "fallback.tsv", "w") as out:
        out.write("# fixtures the scaled decoder leaves to the full decoder\n")
        for name in fallback_rows:
            out.write(name + "\n")

    data_dir = shared_data()
    rows = []
    if data_dir is not None:
        photos = sorted(glob.glob(str(data_dir / "photos" / "**" / "*.jpg"), recursive=True))
        photos += sorted(glob.glob(str(data_dir / "odd-images" / "*.jpg")))
        for path in photos:
            raw = Path(path).read_bytes()
            probe = Image.open(io.BytesIO(raw))
            w, h = probe.size
            rel = os.path.relpath(path, data_dir)
            if probe.mode not in ("RGB", "L") or probe.info.get("progressive"):
                continue  # left to the full decoder
            try:
                probe.load()
            except OSError:
                continue  # truncated: PIL refuses it (the test checks "truncated JPEG")
            sizes = {"resize256": resized_size(w, h, 256), "s2": (w // 2, h // 2), "s8": (w // 8, h // 8)}
            for label, size in sizes.items():
                im, _, scale = draft_decode(raw, size)
                digest = hashlib.sha256(im.tobytes()).hexdigest()
                rows.append((rel, label, scale, im.size[0], im.size[1], digest))
            # what ImageDecoder.decodeForResize(f, 256) returns when draft() scales (upright: exif_transpose)
            im, _, scale = draft_decode(raw, resized_size(w, h, 256))
            if scale > 1:
                im = ImageOps.exif_transpose(im)
                digest = hashlib.sha256(im.tobytes()).hexdigest()
                rows.append((rel, "forresize256", scale, im.size[0], im.size[1], digest))
        with open(OUT / "shared_photos_draft.tsv", "w") as out:
            out.write("# path (relative to shared/data)\tcase\tdraft_scale\twidth\theight\tsha256 of RGB bytes\n")
            for row in rows:
                out.write("\t".join(map(str, row)) + "\n")
    else:
        print("shared/data not found: shared_photos_draft.tsv not written", file=sys.stderr)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(fx)} fixtures, {len(rows)} shared-photo hashes, {total / 1024:.0f} KiB in {OUT}")


if __name__ == "__main__":
    main()
