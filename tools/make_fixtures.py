"""Generate the committed golden fixtures for the Java DINOv2/ITAE engine:

    /usr/bin/python3 tools/make_fixtures.py

Writes src/test/resources/fixtures/ (deleted and rebuilt): tiny DINOv2-architecture checkpoints in the Hugging Face
and official torch-hub layouts, two input PNGs, goldens per (checkpoint, image, ITAE setting), bicubic
position-table interpolation goldens, a malicious .pth, and README.md (layout and sizes).
Everything is deterministic (fixed seeds); the goldens are computed from exactly the stored (quantised) weights.
"""

import copy
import json
import os
import pickletools
import shutil
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_formats import (hf_config, hf_to_official, official_to_hf,  # noqa: E402
                                read_safetensors, write_safetensors)
from dinov2_reference import (Arch, DinoVisionTransformer, Itae, build_model, normalize,  # noqa: E402
                              otsu_threshold)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "test", "resources", "fixtures")

DIM, DEPTH = 128, 2
LAST = DEPTH - 1
PROBE_LAYERS = (0, 1)

# name -> (architecture, storage dtype, weight seed)
CHECKPOINTS = OrderedDict([
    ("orig", (Arch.original(DIM, DEPTH), torch.float32, 6)),
    ("reg4", (Arch.with_registers(DIM, DEPTH), torch.bfloat16, 58)),
    ("swiglu_reg4", (Arch.with_registers(DIM, DEPTH, ffn="swiglu"), torch.float16, 29)),
])
IMAGES = OrderedDict([("img224.png", (224, 224, 101)), ("img280x224.png", (280, 224, 202))])  # width, height, seed
SETTINGS = ("off", "v_s1", "v_s05", "k_above_all", "v_auto")

# Robustness demanded of every ITAE decision, so that an engine whose scores differ from ours by float32 rounding
# (~1e-6 relative) flags exactly the same tokens.
MIN_THRESHOLD_MARGIN = 1e-4      # min over patch tokens of |score - threshold| / threshold
MIN_OTSU_GAP = 1e-4              # (best - second best between-class variance) / best
OTSU_PERTURBATION = 1e-5         # relative score noise under which the Otsu split must not move


# ----------------------------------------------------------------------------------------- random weights

def random_weights(arch, seed):
    """Official-name float32 state dict with non-trivial random values, so every block and LayerNorm matters
    and attention is far from uniform:
      LayerNorm weight ~ U(0.5, 1.5), bias ~ N(0, 0.2); LayerScale gamma ~ U(0.3, 1.0);
      cls/pos/register/mask tokens ~ N(0, 0.5); linear/conv weights ~ N(0, gain^2 / fan_in) with gain 1.5 for qkv
      (peaked attention), 5 for the patch embedding (image content dominates the position table), else 1;
      other biases ~ N(0, 0.1).
    Then, like real DINOv2 where low-information background patches become low-value-norm tokens, the last block's
    value projection is made blind to the flat-colour subspace of the patch embedding (W_v <- W_v (I - Q Q^T),
    Q = orthonormal basis of the embedding's response to a uniform patch of each colour channel): flat patches
    (the sky of the test images) get clearly lower v-norms than textured ones."""
    g = torch.Generator().manual_seed(seed)
    sd = OrderedDict()
    for name, p in DinoVisionTransformer(arch).state_dict().items():
        shape = p.shape

        def normal(std):
            return torch.randn(shape, generator=g) * std

        def uniform(lo, hi):
            return lo + (hi - lo) * torch.rand(shape, generator=g)

        if name in ("cls_token", "pos_embed", "register_tokens", "mask_token"):
            t = normal(0.5)
        elif name.endswith("gamma"):
            t = uniform(0.3, 1.0)
        elif "norm" in name and p.dim() == 1:
            t = uniform(0.5, 1.5) if name.endswith("weight") else normal(0.2)
        elif name.endswith("weight"):
            fan_in = int(np.prod(shape[1:]))
            gain = 1.5 if "qkv" in name else 5.0 if name.startswith("patch_embed") else 1.0
            t = normal(gain / fan_in ** 0.5)
        else:
            t = normal(0.1)
        sd[name] = t

    flat_response = sd["patch_embed.proj.weight"].sum(dim=(2, 3))          # [D, 3]
    basis, _ = torch.linalg.qr(flat_response)                                # [D, 3] orthonormal
    qkv = sd[f"blocks.{arch.depth - 1}.attn.qkv.weight"]
    w_v = qkv[2 * arch.dim:]
    qkv[2 * arch.dim:] = w_v - w_v @ basis @ basis.T
    return sd


def quantise(sd, dtype):
    """(stored tensors in `dtype`, their exact float32 values)."""
    stored = OrderedDict((k, v.to(dtype).contiguous()) for k, v in sd.items())
    return stored, OrderedDict((k, v.float()) for k, v in stored.items())


# ------------------------------------------------------------------------------------------------- images

def make_image(width, height, seed):
    """Deterministic test picture: a flat sky band (about 30 % of the height, low detail) over a scene with
    smooth colour fields, grain, stripes, a checkerboard and sharp-edged grainy discs (high detail)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = xx / width, yy / height
    img = np.empty((height, width, 3))
    img[..., 0] = 130 + 70 * np.sin(2 * np.pi * (0.8 * u + 0.3 * v) + rng.uniform(0, 6))
    img[..., 1] = 120 + 60 * np.cos(2 * np.pi * (0.5 * u - 0.9 * v) + rng.uniform(0, 6))
    img[..., 2] = 90 + 80 * u * v
    img += rng.normal(0, 45, img.shape)                                      # grain
    x0, y0 = int(0.05 * width), int(0.55 * height)                          # vertical stripes, period 6 px
    img[y0:y0 + 56, x0:x0 + 70] += 40 * np.sign(np.sin(2 * np.pi * xx[y0:y0 + 56, x0:x0 + 70] / 6.0))[..., None]
    x1, y1 = int(0.6 * width), int(0.7 * height)                            # checkerboard, 5 px cells
    board = ((xx[y1:, x1:] // 5 + yy[y1:, x1:] // 5) % 2) * 2 - 1
    img[y1:, x1:] += 40 * board[..., None]
    for _ in range(6):                                                       # sharp-edged discs
        cx, cy, r = rng.uniform(0, width), rng.uniform(0.35 * height, height), rng.uniform(10, 28)
        inside = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        img[inside] = rng.uniform(0, 255, 3) + rng.normal(0, 45, (int(inside.sum()), 3))
    sky = int(0.3 * height)                                                  # flat sky, faint gradient
    img[:sky] = np.array([95.0, 150.0, 215.0]) + 12 * v[:sky, :, None] + rng.normal(0, 1.0, (sky, width, 3))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------------------ JSON helpers

def rounded(x, digits):
    """Nested lists of Python floats rounded to `digits` significant digits (9 = exact float32 round trip)."""
    a = np.asarray(x.detach().cpu().numpy() if torch.is_tensor(x) else x, dtype=np.float64)
    fmt = f"%.{digits}g"
    flat = [float(fmt % v) for v in a.ravel()]
    return np.array(flat).reshape(a.shape).tolist() if a.ndim else flat[0]


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


# ---------------------------------------------------------------------------------------- official .pth

def save_official(model_f32, dtype, path):
    """torch.save(state_dict) exactly as the hub checkpoints are made: a zip holding a pickled OrderedDict
    (with its `_metadata`) of rebuilt tensors whose storages have the stored dtype (Float/BFloat16/Half)."""
    model = copy.deepcopy(model_f32).to(dtype)
    torch.save(model.state_dict(), path)


def write_malicious_pth(path):
    """A torch-zip checkpoint whose data.pkl holds one genuine tensor entry and then an entry built by
    `posix.system("true")` through REDUCE. Assembled opcode by opcode: nothing is pickled or unpickled here.
    A safe reader must refuse the global `posix system` (and never run it)."""
    def text(s):
        b = s.encode("utf-8")
        return b"X" + struct.pack("<I", len(b)) + b

    def global_(module, name):
        return b"c" + module.encode() + b"\n" + name.encode() + b"\n"

    tensor_entry = (
        text("cls_token") + global_("torch._utils", "_rebuild_tensor_v2") + b"("
        + b"(" + text("storage") + global_("torch", "FloatStorage") + text("0") + text("cpu") + b"K\x04" + b"t"
        + b"Q"                                        # BINPERSID: storage from data/0
        + b"K\x00"                                    # storage offset
        + b"K\x01K\x01K\x04\x87"                      # size (1, 1, 4)
        + b"K\x04K\x04K\x01\x87"                      # stride (4, 4, 1)
        + b"\x89"                                     # requires_grad False
        + global_("collections", "OrderedDict") + b")R"   # backward hooks
        + b"tR")
    payload_entry = text("payload") + global_("posix", "system") + text("true") + b"\x85R"
    pickle_bytes = (b"\x80\x02" + global_("collections", "OrderedDict") + b")R"
                    + b"(" + tensor_entry + payload_entry + b"u.")
    list(pickletools.genops(pickle_bytes))           # well-formed check only (does not execute anything)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo("malicious/data.pkl", date_time=(1980, 1, 1, 0, 0, 0)), pickle_bytes)
        z.writestr(zipfile.ZipInfo("malicious/data/0", date_time=(1980, 1, 1, 0, 0, 0)),
                   np.arange(4, dtype="<f4").tobytes())
        z.writestr(zipfile.ZipInfo("malicious/version", date_time=(1980, 1, 1, 0, 0, 0)), b"3\n")
    return pickle_bytes


# ----------------------------------------------------------------------------------------------- goldens

def itae_for(setting, thresholds):
    """The ITAE settings of the goldens. thresholds: percentiles of the image's no-ITAE last-layer norms."""
    if setting == "off":
        return None
    if setting == "v_s1":
        return Itae("v", thresholds["v35"], "below", 1.0, (LAST,), "cls")
    if setting == "v_s05":
        return Itae("v", thresholds["v35"], "below", 0.5, (LAST,), "cls")
    if setting == "k_above_all":
        return Itae("k", thresholds["k70"], "above", 0.7, (0, 1), "all")
    if setting == "v_auto":
        return Itae("v", "auto", "below", 1.0, (LAST,), "cls")
    raise ValueError(setting)


def check_itae_decisions(tag, itae, out, prefix):
    """Assert every ITAE decision is robust to float32-level differences; return flagged fraction per layer."""
    fractions = {}
    for layer, probes in out.layers.items():
        if not itae.applies_to(layer, DEPTH):
            continue
        p = probes[0]
        scores = p.norms[itae.component][prefix:].double().numpy()
        flagged = len(p.artifacts) / len(scores)
        assert 0 < flagged < 1, f"{tag} layer {layer}: flagged fraction {flagged} not strictly inside (0, 1)"
        margin = np.min(np.abs(scores - p.threshold)) / p.threshold
        assert margin >= MIN_THRESHOLD_MARGIN, f"{tag} layer {layer}: score within {margin:.2e} of threshold"
        if p.otsu is not None:
            gap = (p.otsu["best"] - p.otsu["second"]) / p.otsu["best"]
            assert gap >= MIN_OTSU_GAP, f"{tag} layer {layer}: Otsu best/second gap only {gap:.2e}"
            rng = np.random.default_rng(0)
            for _ in range(200):
                noisy = scores * (1 + OTSU_PERTURBATION * rng.standard_normal(len(scores)))
                assert otsu_threshold(noisy)[1] == p.otsu["k"], f"{tag} layer {layer}: Otsu split unstable"
        fractions[layer] = flagged
    return fractions


def golden(ckpt, image_name, setting, arch, itae, out, with_patch_tokens):
    doc = OrderedDict()
    doc["checkpoint"] = ckpt
    doc["image"] = image_name
    doc["setting"] = setting
    doc["grid"] = list(out.grid)
    doc["registers"] = arch.registers
    if itae is None:
        doc["itae"] = None
    else:
        resolved = {str(layer): rounded(probes[0].threshold, 17)
                    for layer, probes in out.layers.items() if itae.applies_to(layer, DEPTH)}
        doc["itae"] = OrderedDict([
            ("component", itae.component),
            ("threshold", itae.threshold if itae.threshold == "auto" else rounded(itae.threshold, 17)),
            ("direction", itae.direction), ("strength", itae.strength),
            ("layers", list(itae.layers)), ("rows", itae.rows), ("resolved_thresholds", resolved)])
    doc["embedding"] = rounded(out.cls[0], 8)
    doc["mean_pooled"] = rounded(out.mean_pooled[0], 8)
    if with_patch_tokens:
        doc["patch_tokens"] = rounded(out.patch_tokens[0], 7)
    layers = OrderedDict()
    for layer in PROBE_LAYERS:
        p = out.layers[layer][0]
        layers[str(layer)] = OrderedDict([
            ("norms", OrderedDict((c, rounded(p.norms[c], 8)) for c in ("q", "k", "v"))),
            ("cls_attention", rounded(p.cls_attention, 8)),
            ("artifacts", sorted(p.artifacts))])
    doc["layers"] = layers
    return doc


def official_style_forward(model, x):
    """The same model evaluated with the official code's own formulation of attention (fused qkv reshaped to
    [3, B, H, N, hd], q scaled before q @ k^T), as an internal cross-check of the ITAE-capable Attention."""
    x = model.prepare_tokens(x)
    for blk in model.blocks:
        a = blk.attn
        h = blk.norm1(x)
        B, N, C = h.shape
        qkv = a.qkv(h).reshape(B, N, 3, a.num_heads, C // a.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * a.scale, qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        x = x + blk.ls1(a.proj((attn @ v).transpose(1, 2).reshape(B, N, C)))
        x = x + blk.ls2(blk.mlp(blk.norm2(x)))
    return model.norm(x)


# ------------------------------------------------------------------------------------------ interpolation

def interpolation_goldens():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(1, 3, 37, 37, generator=g)
    cases = [
        ("scale_16x16", None, ((16 + 0.1) / 37, (16 + 0.1) / 37), False),
        ("scale_16x20", None, ((16 + 0.1) / 37, (20 + 0.1) / 37), False),
        ("size_16x16_aa", (16, 16), None, True),
        ("size_16x20_aa", (16, 20), None, True),
        ("size_40x40_aa", (40, 40), None, True),
        ("scale_40x40", None, ((40 + 0.1) / 37, (40 + 0.1) / 37), False),
        ("size_16x16_noaa", (16, 16), None, False),
    ]
    doc = OrderedDict([("input_shape", list(x.shape)), ("input", rounded(x, 9)), ("cases", [])])
    for name, size, scale, aa in cases:
        kwargs = {"size": size} if size else {"scale_factor": scale}
        y = F.interpolate(x, mode="bicubic", align_corners=False, antialias=aa, **kwargs)
        doc["cases"].append(OrderedDict([
            ("name", name), ("mode", "bicubic"), ("align_corners", False), ("antialias", aa),
            ("size", list(size) if size else None), ("scale_factor", list(scale) if scale else None),
            ("output_shape", list(y.shape)), ("output", rounded(y, 9))]))
    return doc


# --------------------------------------------------------------------------------------------------- main

def manifest(arch, dtype, deq):
    tensors = OrderedDict()
    for name, t in deq.items():
        flat = t.flatten().double()
        tensors[name] = OrderedDict([
            ("hf", list(official_to_hf({name: t}))),   # qkv: [query, key, value] ("shape", list(t.shape)),
            ("sum", float(flat.sum())), ("abs_sum", float(flat.abs().sum())),
            ("first", rounded(flat[:4], 9)), ("last", rounded(flat[-1], 9))])
    return OrderedDict([
        ("dtype", {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}[dtype]),
        ("arch", OrderedDict([("dim", arch.dim), ("depth", arch.depth), ("heads", arch.heads),
                              ("registers", arch.registers), ("ffn", arch.ffn), ("mlp_hidden", arch.mlp_hidden),
                              ("patch_size", arch.patch_size), ("pos_grid", arch.pos_grid),
                              ("layer_norm_eps", arch.ln_eps), ("interpolate_offset", arch.interpolate_offset),
                              ("interpolate_antialias", arch.interpolate_antialias)])),
        ("tensors", tensors)])


def main():
    torch.set_num_threads(1)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "golden"))
    os.makedirs(os.path.join(OUT, "interp"))

    # Input images, read back from the PNGs so the goldens see exactly the stored pixels.
    inputs, image_info = OrderedDict(), OrderedDict()
    for name, (width, height, seed) in IMAGES.items():
        Image.fromarray(make_image(width, height, seed)).save(os.path.join(OUT, name), optimize=True)
        pixels = np.asarray(Image.open(os.path.join(OUT, name)).convert("RGB"))
        x = normalize(pixels)
        inputs[name] = x
        samples = [(c, y, xx) for c in range(3) for (y, xx) in ((0, 0), (height // 2, width // 3), (height - 1, width - 1))]
        image_info[name] = OrderedDict([
            ("width", width), ("height", height), ("grid", [height // 14, width // 14]),
            ("channel_sums", [float(x[0, c].double().sum()) for c in range(3)]),
            ("samples", [OrderedDict([("c", c), ("y", y), ("x", xx), ("value", rounded(x[0, c, y, xx], 9))])
                         for c, y, xx in samples])])
    write_json(os.path.join(OUT, "images.json"), image_info)

    summary = []
    for ckpt, (arch, dtype, seed) in CHECKPOINTS.items():
        stored, deq = quantise(random_weights(arch, seed), dtype)
        model = build_model(arch, deq)
        d = os.path.join(OUT, ckpt)
        os.makedirs(os.path.join(d, "hf"))

        # Both layouts, then read back and demand bit-identical float32 values.
        write_safetensors(os.path.join(d, "hf", "model.safetensors"), official_to_hf(stored))
        with open(os.path.join(d, "hf", "config.json"), "w") as f:
            json.dump(hf_config(arch, dtype), f, indent=2)
            f.write("\n")
        save_official(model, dtype, os.path.join(d, "official.pth"))
        write_json(os.path.join(d, "manifest.json"), manifest(arch, dtype, deq))

        hf_tensors, hf_dtypes, _ = read_safetensors(os.path.join(d, "hf", "model.safetensors"))
        from_hf = hf_to_official(hf_tensors)
        pth = torch.load(os.path.join(d, "official.pth"), map_location="cpu", weights_only=True)
        assert list(pth.keys()) == list(deq.keys()), f"{ckpt}: .pth key order differs"
        assert set(from_hf) == set(deq), f"{ckpt}: HF names do not map back to the official ones"
        for name, t in deq.items():
            assert pth[name].dtype == dtype and torch.equal(pth[name].float(), t), f"{ckpt}: .pth {name}"
            assert torch.equal(from_hf[name], t), f"{ckpt}: HF {name}"
        model_from_hf = build_model(arch, from_hf) if ckpt == "reg4" else None

        for image_name, x in inputs.items():
            prefix = 1 + arch.registers
            base = model(x, probe_layers=PROBE_LAYERS)
            last = base.layers[LAST][0]
            with torch.no_grad():
                official = official_style_forward(model, x)
            assert torch.allclose(official[:, 0], base.cls, atol=1e-5, rtol=0), f"{ckpt}: official-style forward"
            assert torch.allclose(official[:, prefix:], base.patch_tokens, atol=1e-5, rtol=0)
            zero = model(x, itae=Itae("k", "auto", "above", 0.0, (0, 1), "all"), probe_layers=PROBE_LAYERS)
            assert torch.equal(zero.cls, base.cls), f"{ckpt}: ITAE with strength 0 must change nothing"
            thresholds = {"v35": float(np.percentile(last.norms["v"][prefix:].double().numpy(), 35)),
                          "k70": float(np.percentile(last.norms["k"][prefix:].double().numpy(), 70))}
            for setting in SETTINGS:
                itae = itae_for(setting, thresholds)
                out = base if itae is None else model(x, itae=itae, probe_layers=PROBE_LAYERS)
                tag = f"{ckpt}/{image_name}/{setting}"
                fractions = check_itae_decisions(tag, itae, out, prefix) if itae else {}
                if model_from_hf is not None:   # the HF name mapping is lossless: identical outputs
                    again = model_from_hf(x, itae=itae, probe_layers=PROBE_LAYERS)
                    assert torch.equal(again.cls, out.cls) and torch.equal(again.patch_tokens, out.patch_tokens), tag
                    for layer in PROBE_LAYERS:
                        assert torch.equal(again.layers[layer][0].cls_attention, out.layers[layer][0].cls_attention)
                        assert again.layers[layer][0].artifacts == out.layers[layer][0].artifacts
                delta = float((out.cls - base.cls).abs().max())
                if itae is not None:
                    assert delta > 1e-3, f"{tag}: ITAE barely changes the embedding ({delta:.2e})"
                doc = golden(ckpt, image_name, setting, arch, itae, out, with_patch_tokens=setting == "off")
                stem = image_name.rsplit(".", 1)[0]
                write_json(os.path.join(OUT, "golden", f"{ckpt}__{stem}__{setting}.json"), doc)
                summary.append((tag, fractions, delta, doc["itae"]["resolved_thresholds"] if itae else {}))

    write_json(os.path.join(OUT, "interp", "bicubic.json"), interpolation_goldens())
    write_malicious_pth(os.path.join(OUT, "malicious.pth"))
    write_readme()

    print("fraction of patch tokens flagged (per ITAE layer), max |embedding - off embedding|, thresholds:")
    for tag, fractions, delta, resolved in summary:
        if fractions:
            fr = ", ".join(f"L{k}: {v:.3f}" for k, v in fractions.items())
            th = ", ".join(f"L{k}: {v:.4f}" for k, v in resolved.items())
            print(f"  {tag:42s} {fr:24s} d={delta:.4f}  thr {th}")
    print("sizes:")
    total = 0
    for path, size in file_sizes():
        print(f"  {size:>10,d}  {path}")
        total += size
    print(f"  {total:>10,d}  total")


def file_sizes():
    rows = []
    for dirpath, _, files in os.walk(OUT):
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            rows.append((os.path.relpath(p, OUT), os.path.getsize(p)))
    return sorted(rows)


README = """# Golden fixtures for the DINOv2 / ITAE engine

Generated by `/usr/bin/python3 tools/make_fixtures.py` (Debian torch {torch}, numpy {numpy}); do not edit by hand.
The generator deletes and rebuilds this folder; all seeds are fixed. The independent reference model is
`tools/dinov2_reference.py` (official facebookresearch/dinov2 semantics + ITAE as the README and docs/ARCHITECTURE.md define it).

## Checkpoints (tiny DINOv2 architecture: D=128, 2 heads, depth 2, patch 14, 37x37 position table)

| dir | registers | FFN | stored dtype | interpolation of the position table |
|---|---|---|---|---|
| `orig/` | 0 | MLP (GELU), hidden 512 | F32 | `scale_factor=((h+0.1)/37, (w+0.1)/37)`, bicubic, no antialias |
| `reg4/` | 4 | MLP (GELU), hidden 512 | BF16 | `size=(h, w)`, bicubic, antialias |
| `swiglu_reg4/` | 4 | SwiGLU (w12 -> 2x344, w3), hidden 344 | F16 (includes F16 subnormals) | `size=(h, w)`, bicubic, antialias |

Each has the same weights in two layouts:
- `hf/config.json` + `hf/model.safetensors`: transformers' Dinov2Model / Dinov2WithRegistersModel names
  (`embeddings.*`, `encoder.layer.N.attention.attention.{{query,key,value}}`, ..., `layernorm.*`).
- `official.pth`: `torch.save(model.state_dict())` with official names (zip: `official/data.pkl` pickled
  OrderedDict with `_metadata`, `torch._utils._rebuild_tensor_v2`, `torch.{{Float,BFloat16,Half}}Storage`,
  `official/data/N`, `official/version`).
- `manifest.json`: dtype, architecture, and for each official tensor its HF name(s), shape, float64 `sum` and
  `abs_sum` of the dequantised values, `first` (up to 4) and `last` values (exact float32).
The goldens are computed in float32 from exactly these (dequantised) values. Note the random weights are
shaped on purpose (see `random_weights`): the last block's value projection ignores the flat-colour subspace
of the patch embedding, so the flat sky of the images gets low v-norms (like real artifact tokens).

## Images
`img224.png` (224x224, grid 16x16) and `img280x224.png` (width 280, height 224, grid [16, 20]). Model input:
x/255 in float32, then (x - mean)/std with mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225), no resize.
`images.json`: per image width, height, grid, float64 sums of each normalised channel, and sample values
`{{c, y, x, value}}` of the normalised tensor.

## Goldens: `golden/<checkpoint>__<image stem>__<setting>.json`
Fields: `checkpoint`, `image`, `setting`, `grid` [rows, cols], `registers`, `itae` (null, or `component`,
`threshold` (number, or "auto"), `direction`, `strength`, `layers` [..], `rows` "cls"|"all",
`resolved_thresholds` {{"layer": number}} for every layer ITAE ran at), `embedding` [D] (CLS after the final norm),
`mean_pooled` [D] (mean of the normed patch tokens), `patch_tokens` [Np][D] (setting `off` only, 7 significant
digits), and `layers` {{"0": ..., "1": ...}} each with `norms` {{q, k, v}} (L2 norm of the raw projection per token,
all tokens, CLS first, then registers, then patches), `cls_attention` [heads][Np] (CLS query row after softmax,
after ITAE, patch columns only) and `artifacts` (sorted indices into the patch tokens that ITAE attenuated at
that layer; [] where ITAE did not run). Other numbers carry 8 significant digits; thresholds are exact doubles.

Settings (thresholds from the same image's last-layer patch norms WITHOUT ITAE, numpy linear percentile):
- `off`: no ITAE.
- `v_s1`: v, threshold = 35th percentile of v-norms, below, strength 1, layers [1], rows cls.
- `v_s05`: same threshold, strength 0.5.
- `k_above_all`: k, threshold = 70th percentile of k-norms, above, strength 0.7, layers [0, 1], rows all.
- `v_auto`: v, threshold auto (Otsu, see tools/dinov2_reference.py `otsu_threshold`), below, strength 1, layers [1].
Every ITAE decision was checked to be robust: each patch score is at least {margin:g} (relative) away from its
threshold, and the Otsu split does not move under {pert:g} relative noise on the scores.

## Interpolation: `interp/bicubic.json`
`input` [1, 3, 37, 37] (float32, exact), and `cases` [{{name, mode, align_corners, antialias, size | scale_factor,
output_shape, output}}] = `torch.nn.functional.interpolate` outputs: scale ((16+0.1)/37)^2 and
((16+0.1)/37, (20+0.1)/37) without antialias; size (16,16), (16,20), (40,40) with antialias; scale
((40+0.1)/37)^2 without antialias; size (16,16) without antialias. scale_factor values are the exact doubles.

## `malicious.pth`
A torch-zip checkpoint whose `malicious/data.pkl` has one genuine tensor entry (`cls_token`, FloatStorage, shape
[1,1,4]) and then `payload` = `posix.system("true")` via GLOBAL + REDUCE. A safe loader must refuse it with a clear
error naming the forbidden global (it was built opcode by opcode and never unpickled).

## Sizes (bytes)
{sizes}
"""


def write_readme():
    path = os.path.join(OUT, "README.md")
    rows = [(p, s) for p, s in file_sizes() if p != "README.md"]
    lines = [f"| `{p}` | {s:,} |" for p, s in rows]
    total = sum(s for _, s in rows)
    table = "| file | bytes |\n|---|---:|\n" + "\n".join(lines) + f"\n| total (without README) | {total:,} |"
    with open(path, "w") as f:
        f.write(README.format(torch=torch.__version__, numpy=np.__version__, margin=MIN_THRESHOLD_MARGIN,
                              pert=OTSU_PERTURBATION, sizes=table))


if __name__ == "__main__":
    main()
