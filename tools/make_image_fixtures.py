#!/usr/bin/python3
"""Writes the reference fixtures for the org.itaestudio.image tests.

Run with Debian's interpreter (PIL 9.4, numpy, torch 1.13):  /usr/bin/python3 tools/make_image_fixtures.py
Needs ../shared/data (or ITAE_SHARED_DATA) for the photos; writes src/test/resources/image-fixtures/.

References:
  * resize: PIL Image.resize(size, Image.BICUBIC) with torchvision Resize(int)'s size rule;
  * centre crop: torchvision's center_crop code for PIL images, copied below (torchvision is not installed);
  * to-float: torch ops exactly as ToTensor + Normalize run them on CPU (checked against numpy float32);
  * decoding: PIL Image.open(f).convert("RGB"); orientation: PIL ImageOps.exif_transpose.
"""
import hashlib
import io
import json
import os
import struct
import sys
import zlib
from pathlib import Path

import shared_data as shared_data_dir

import numpy as np
import torch
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "test" / "resources" / "image-fixtures"
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def shared_data():
    return shared_data_dir.find() or sys.exit("shared/data not found; set ITAE_SHARED_DATA")


# ----------------------------------------------------------------------------- torchvision equivalents

def tv_resize_size(w, h, size):
    """torchvision _compute_resized_output_size for an int size; returns (w, h)."""
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    return (new_short, new_long) if w <= h else (new_long, new_short)


def tv_resize(im, size):
    w, h = tv_resize_size(im.width, im.height, size)
    if (w, h) == im.size:
        return im
    return im.resize((w, h), Image.BICUBIC)


def tv_center_crop(im, crop_h, crop_w):
    """torchvision.transforms.functional.center_crop for PIL images."""
    iw, ih = im.size
    if crop_w > iw or crop_h > ih:
        ltrb = [(crop_w - iw) // 2 if crop_w > iw else 0,
                (crop_h - ih) // 2 if crop_h > ih else 0,
                (crop_w - iw + 1) // 2 if crop_w > iw else 0,
                (crop_h - ih + 1) // 2 if crop_h > ih else 0]
        im = ImageOps.expand(im, border=tuple(ltrb), fill=0)
        iw, ih = im.size
        if crop_w == iw and crop_h == ih:
            return im
    top = int(round((ih - crop_h) / 2.0))
    left = int(round((iw - crop_w) / 2.0))
    return im.crop((left, top, left + crop_w, top + crop_h))


def to_tensor_normalize(im):
    """ToTensor + Normalize, the torch ops torchvision runs (CPU, float32)."""
    t = torch.from_numpy(np.array(im.convert("RGB"), np.uint8, copy=True)).permute(2, 0, 1).contiguous()
    t = t.to(dtype=torch.float32).div(255)
    mean = torch.as_tensor(MEAN, dtype=torch.float32).view(-1, 1, 1)
    std = torch.as_tensor(STD, dtype=torch.float32).view(-1, 1, 1)
    out = t.sub_(mean).div_(std).numpy()
    # independent numpy float32 check of the same formula
    a = np.array(im.convert("RGB"), np.uint8).transpose(2, 0, 1).astype(np.float32)
    ref = (a / np.float32(255) - np.array(MEAN, np.float32)[:, None, None]) / np.array(STD, np.float32)[:, None, None]
    assert ref.dtype == np.float32 and np.array_equal(ref.view(np.uint32), out.view(np.uint32)), "torch != numpy"
    return out


def sha256_rgb(im):
    return hashlib.sha256(np.asarray(im.convert("RGB"), np.uint8).tobytes()).hexdigest()


def save_png(im, name):
    im = im.copy()
    im.info = {}  # no ICC profile / EXIF carried over from a decoded source
    im.save(OUT / name, optimize=True)
    return name


# ----------------------------------------------------------------------------- resize / crop goldens

def resize_cases(data):
    photos = data / "photos"
    def src(rel, size):
        # LANCZOS (not NEAREST) keeps the small sources smooth, so their PNGs stay small
        im = Image.open(photos / rel).convert("RGB")
        return im.resize(size, Image.LANCZOS)

    # (name, source image, [(resize, crop or None)]): PIL-resized and cropped results are stored.
    specs = [
        ("elephants_320x260", src("cameratrap_cdla/african_elephants.jpg", (320, 260)), [(256, 224), (48, 42)]),
        ("cat_333x217", src("skimage_cc0_pd/chelsea.png", (333, 217)), [(256, 224), (224, None), (100, None)]),
        ("coffee_64x64", src("skimage_cc0_pd/coffee.png", (64, 64)), [(256, 224), (48, 64)]),
        ("astronaut_120x208", src("skimage_cc0_pd/astronaut.png", (120, 208)), [(100, 96), (37, 28)]),
        ("rocket_50x37", src("skimage_cc0_pd/rocket.jpg", (50, 37)), [(256, 224)]),
    ]
    cases = []
    for name, im, configs in specs:
        source = save_png(im, f"resize_{name}.png")
        for resize, crop in configs:
            resized = tv_resize(im, resize)
            if crop is None:
                out = tv_center_crop(resized, resized.height // 14 * 14, resized.width // 14 * 14)
            else:
                out = tv_center_crop(resized, crop, crop)
            tag = f"{name}_r{resize}_c{crop if crop is not None else 'none'}"
            case = {
                "source": source,
                "resize": resize,
                "crop": crop,
                "resized_size": list(resized.size),
                "resized_sha256": sha256_rgb(resized),
                "output_size": list(out.size),
                "output_sha256": sha256_rgb(out),
            }
            # images are stored where they are small (fixtures stay < 1 MB); the rest are checked by hash
            if out.width * out.height <= 100 * 100 or im.width * im.height <= 5000:
                case["output"] = save_png(out, f"resize_{tag}_out.png")
            if resized.width * resized.height <= 20_000:
                case["resized"] = save_png(resized, f"resize_{tag}_resized.png")
            cases.append(case)
    return cases


def bicubic_cases():
    """Plain PIL bicubic resizes of noise (extreme values stress rounding and clipping), many size pairs."""
    rng = np.random.default_rng(3)
    cases = []
    for (w, h), targets in [((23, 17), [(7, 5), (46, 34), (23, 40), (50, 17), (1, 1), (97, 3)]),
                            ((5, 9), [(3, 18), (13, 2)]),
                            ((64, 3), [(9, 3), (64, 11)])]:
        noise = Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")
        source = save_png(noise, f"bicubic_noise_{w}x{h}.png")
        for tw, th in targets:
            out = noise.resize((tw, th), Image.BICUBIC)
            cases.append({"source": source, "width": tw, "height": th,
                          "expected": save_png(out, f"bicubic_noise_{w}x{h}_to_{tw}x{th}.png")})
    return cases


def float_cases(data):
    # every (channel, value) pair: a 1x256 image with R = G = B = x
    ramp = Image.fromarray(np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2), "RGB")
    table = to_tensor_normalize(ramp)  # 3 x 1 x 256
    (OUT / "normalize_table.f32").write_bytes(table.astype("<f4").tobytes())

    im = Image.open(data / "photos" / "skimage_cc0_pd" / "coffee.png").convert("RGB").resize((70, 52), Image.NEAREST)
    source = save_png(im, "pipeline_coffee_70x52.png")
    pipelines = []
    for resize, crop in [(32, 28), (42, None)]:
        resized = tv_resize(im, resize)
        out = (tv_center_crop(resized, crop, crop) if crop is not None
               else tv_center_crop(resized, resized.height // 14 * 14, resized.width // 14 * 14))
        tensor = to_tensor_normalize(out)
        name = f"pipeline_coffee_r{resize}_c{crop if crop is not None else 'none'}.f32"
        (OUT / name).write_bytes(tensor.astype("<f4").tobytes())
        pipelines.append({"source": source, "resize": resize, "crop": crop,
                          "shape": list(tensor.shape), "tensor": name})
    return {"table": "normalize_table.f32", "table_shape": [3, 1, 256], "pipelines": pipelines}


# ----------------------------------------------------------------------------- decoding goldens

def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def write_png16(path, arr16, color_type):
    """A 16-bit PNG written by hand (PIL cannot save 16-bit RGB); arr16 is HxWxC uint16."""
    h, w = arr16.shape[:2]
    raw = b"".join(b"\x00" + arr16[y].astype(">u2").tobytes() for y in range(h))
    data = (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))
    path.write_bytes(data)


def s15f16(v):
    return struct.pack(">i", int(round(v * 65536)))


def wide_gamut_icc():
    """A minimal ICC v2 RGB display profile (Rec.2020-like primaries in D50, gamma 2.2), written here so no
    third-party profile is copied. Colour-managed decoders would change pixels a lot; PIL ignores it."""
    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + s15f16(x) + s15f16(y) + s15f16(z)

    def curve(gamma):
        return b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", int(round(gamma * 256))) + b"\0\0"

    def desc(text):
        t = text.encode("ascii") + b"\0"
        return (b"desc" + b"\0" * 4 + struct.pack(">I", len(t)) + t + b"\0" * 8 + b"\0" * 3 + b"\0" * 67)

    tags = [(b"desc", desc("ITAE test wide gamut")), (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz(0.6734, 0.2790, -0.0019)), (b"gXYZ", xyz(0.1656, 0.6753, 0.0299)),
            (b"bXYZ", xyz(0.1251, 0.0457, 0.7969)), (b"rTRC", curve(2.2)), (b"gTRC", curve(2.2)),
            (b"bTRC", curve(2.2)), (b"cprt", b"text" + b"\0" * 4 + b"CC0\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"none" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2024, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 4 + struct.pack(">I", 0)
              + b"\0" * 8 + b"\0" * 8 + struct.pack(">I", 0) + s15f16(0.9642) + s15f16(1.0) + s15f16(0.8249)
              + b"\0" * 4 + b"\0" * 44)
    assert len(header) == 128, len(header)
    return header + struct.pack(">I", len(tags)) + table + body


def decode_cases(data):
    base = (Image.open(data / "photos" / "skimage_cc0_pd" / "chelsea.png").convert("RGB")
            .resize((48, 32), Image.NEAREST))
    rng = np.random.default_rng(7)
    alpha = Image.fromarray(rng.integers(0, 256, (32, 48), dtype=np.uint8), "L")
    rgba = base.copy()
    rgba.putalpha(alpha)
    la = base.convert("L")
    la.putalpha(alpha)
    pal = base.convert("P", palette=Image.ADAPTIVE, colors=32)
    pal_trns = pal.copy()
    pal_trns.info["transparency"] = 3
    bw = base.convert("1")
    cases = []

    def add(name, writer, tolerance=0, note=None, expected=None):
        path = OUT / name
        writer(path)
        ref = expected if expected is not None else Image.open(path).convert("RGB")
        # identical expectations (lossless formats of the same picture) share one file
        exp_name = save_png(ref, f"expected_{sha256_rgb(ref)[:12]}.png")
        entry = {"file": name, "expected": exp_name, "max_diff": tolerance}
        if note:
            entry["note"] = note
        cases.append(entry)

    add("fmt_rgb.png", lambda p: base.save(p))
    add("fmt_rgba.png", lambda p: rgba.save(p), note="alpha dropped, colour kept (PIL convert)")
    add("fmt_la.png", lambda p: la.save(p))
    add("fmt_l.png", lambda p: base.convert("L").save(p))
    add("fmt_p.png", lambda p: pal.save(p))
    add("fmt_p_trns.png", lambda p: pal_trns.save(p, transparency=3))
    add("fmt_1.png", lambda p: bw.save(p))
    rgb16 = np.asarray(base, np.uint16) * 257 + rng.integers(0, 257, (32, 48, 3)).astype(np.uint16)
    add("fmt_rgb16.png", lambda p: write_png16(p, rgb16, 2), note="PIL keeps the high byte")
    l16 = (np.asarray(base.convert("L"), np.uint16) * 257)[:, :, None]
    high = Image.fromarray(np.repeat((l16 >> 8).astype(np.uint8), 3, axis=2), "RGB")
    add("fmt_l16.png", lambda p: write_png16(p, l16, 0), expected=high,
        note="expected = high byte; PIL itself clips mode I to 255 here (a PIL quirk not copied)")
    add("fmt_rgb.bmp", lambda p: base.save(p))
    add("fmt_p.bmp", lambda p: pal.save(p))
    add("fmt_l.bmp", lambda p: base.convert("L").save(p))
    add("fmt_1.bmp", lambda p: bw.save(p))
    add("fmt_p.gif", lambda p: pal.save(p))
    frames = [pal, base.transpose(Image.FLIP_LEFT_RIGHT).convert("P", palette=Image.ADAPTIVE, colors=16)]
    add("fmt_anim.gif", lambda p: frames[0].save(p, save_all=True, append_images=frames[1:], duration=100, loop=0),
        note="first frame")
    add("fmt_rgb.tif", lambda p: base.save(p))
    add("fmt_lzw.tif", lambda p: base.save(p, compression="tiff_lzw"))
    add("fmt_deflate.tif", lambda p: base.save(p, compression="tiff_adobe_deflate"))
    add("fmt_rgba.tif", lambda p: rgba.save(p))
    add("fmt_l.tif", lambda p: base.convert("L").save(p))
    add("fmt_cmyk.tif", lambda p: base.convert("CMYK").save(p), note="PIL's naive CMYK->RGB")
    add("fmt_lossless.webp", lambda p: base.save(p, lossless=True))
    add("fmt_rgba_lossless.webp", lambda p: rgba.save(p, lossless=True))
    # JPEG and lossy WebP: different decoders (libjpeg-turbo vs the JDK's libjpeg 6b, libwebp vs TwelveMonkeys'
    # VP8). JPEG measured identical (islow IDCT and fancy upsampling in both); 2 levels of slack for other JDKs.
    add("fmt_rgb.jpg", lambda p: base.save(p, quality=92), tolerance=2, note="JPEG decoder differences")
    add("fmt_l.jpg", lambda p: base.convert("L").save(p, quality=92), tolerance=2, note="JPEG decoder differences")
    add("fmt_cmyk.jpg", lambda p: base.convert("CMYK").save(p, quality=92), tolerance=2,
        note="CMYK JPEG, no ICC profile; TwelveMonkeys' fallback conversion equals PIL's here")
    icc = wide_gamut_icc()
    add("fmt_icc_rgb.jpg", lambda p: base.save(p, quality=92, icc_profile=icc), tolerance=2,
        note="wide-gamut ICC profile ignored, as PIL does")
    add("fmt_icc_rgb.png", lambda p: base.save(p, icc_profile=icc), note="iCCP ignored, as PIL does")
    add("fmt_lossy.webp", lambda p: base.save(p, quality=90), tolerance=20,
        note="lossy WebP: TwelveMonkeys' VP8 decoder upsamples chroma differently (measured max 14, mean 1.3)")
    return cases


def orientation_cases():
    rng = np.random.default_rng(11)
    small = Image.fromarray(rng.integers(0, 256, (4, 6, 3), dtype=np.uint8), "RGB")  # 6 wide, 4 high
    # a blocky 64x48 picture that JPEG keeps accurately: 16x16 blocks of distinct flat colours
    blocks = rng.integers(30, 226, (3, 4, 3), dtype=np.uint8)
    blocky = Image.fromarray(np.kron(blocks, np.ones((16, 16, 1), np.uint8)), "RGB")
    cases = []
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        png = f"orient_{o}.png"
        small.save(OUT / png, exif=exif.tobytes())
        jpg = f"orient_{o}.jpg"
        blocky.save(OUT / jpg, quality=95, exif=exif.tobytes())
        exp_png = save_png(ImageOps.exif_transpose(Image.open(OUT / png)).convert("RGB"), f"orient_{o}_png_expected.png")
        exp_jpg = save_png(ImageOps.exif_transpose(Image.open(OUT / jpg)).convert("RGB"), f"orient_{o}_jpg_expected.png")
        assert Image.open(OUT / png).getexif().get(0x0112) == o
        cases.append({"orientation": o, "png": png, "png_expected": exp_png, "jpg": jpg, "jpg_expected": exp_jpg})
    return cases


def shared_reference(data):
    """PIL's view of the shared odd images (not copied here): upright size and 128x128 block means."""
    out = []
    for rel in ["photos/cameratrap_cdla/african_elephants.jpg",
                "odd-images/african_elephants_with_exif_orientation.jpg",
                "odd-images/african_elephants_bw.jpg", "odd-images/african_elephants_cmyk.jpg"]:
        im = ImageOps.exif_transpose(Image.open(data / rel)).convert("RGB")
        a = np.asarray(im, np.float64)
        h, w = a.shape[0] // 128, a.shape[1] // 128
        means = a[:h * 128, :w * 128].reshape(h, 128, w, 128, 3).mean(axis=(1, 3))
        out.append({"path": rel, "size": list(im.size), "block": 128, "blocks": [w, h],
                    "means": [round(float(v), 3) for v in means.reshape(-1)]})
    return out


def main():
    data = shared_data()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    manifest = {
        "generator": "tools/make_image_fixtures.py",
        "pil": Image.__version__, "numpy": np.__version__, "torch": torch.__version__,
        "resize": resize_cases(data),
        "bicubic": bicubic_cases(),
        "float": float_cases(data),
        "decode": decode_cases(data),
        "orientation": orientation_cases(),
        "shared_reference": shared_reference(data),
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1024:.0f} KiB to {OUT}")


if __name__ == "__main__":
    main()
