"""Independent reference for test-time registers (Jiang, Dravid, Efros, Gandelsman, "Vision Transformers Don't Need
Trained Registers", NeurIPS 2025, arXiv 2506.08010) as ITAE Studio defines them (docs/product.md, README):
register-neuron calibration and inference with appended registers, together with ITAE. Written from the paper and
the behaviour of the official code (nickjiang2378/test-time-registers), with its two quirks NOT reproduced: every
image of a batch is edited (the official hook edits only image 0), and outputs are sliced by the real token layout.

Builds on tools/dinov2_reference.py (the model the Java engine is judged against) and writes the goldens under
src/test/resources/ttr/ (run: /usr/bin/python3 tools/ttr_reference.py). Math is float32; averages over images are
float64. Generated inputs are random with planted outliers: a few MLP units of an early block are made sparse
(active on ~5 % of tokens) and given a large output weight, so some patch tokens reach high norms downstream,
as register neurons do in real DINOv2.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_formats import write_safetensors  # noqa: E402
from dinov2_reference import (Arch, DinoVisionTransformer, Itae, attenuate_logits, flag_artifacts,  # noqa: E402
                              otsu_threshold)
from make_fixtures import random_weights  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "ttr")
SPARSE_ACTIVATION = 0.5     # official find_register_neurons defaults
SPARSE_FRACTION = 0.5


# ------------------------------------------------------------------------------------------- one forward

def mlp_hidden(block, h):
    """The MLP hidden activation [B, N, hidden]: GELU(fc1 h) or silu(x1) * x2 (SwiGLU)."""
    if hasattr(block.mlp, "w12"):
        x1, x2 = block.mlp.w12(h).chunk(2, dim=-1)
        return F.silu(x1) * x2
    return block.mlp.act(block.mlp.fc1(h))


def mlp_out(block, hidden):
    return block.mlp.w3(hidden) if hasattr(block.mlp, "w12") else block.mlp.fc2(hidden)


def sign_max(values):
    """The value of largest magnitude, sign kept (the negative one when |max| == |min|)."""
    hi, lo = values.max(), values.min()
    return hi if hi.abs() > lo.abs() else lo


def edit_image(hidden, units, prefix, n_patches, n_reg, patch_values):
    """Test-time registers on one image's hidden activation [N', hidden] (in place)."""
    chosen = hidden[:, units]                                           # [N', U], over all tokens
    value = sign_max(chosen)
    patches = hidden[prefix:prefix + n_patches][:, units]               # [Np, U]
    if patch_values == "zero":
        new = torch.zeros_like(patches)
    elif patch_values == "mean":
        new = patches.mean(dim=0, keepdim=True).expand_as(patches)
    elif patch_values == "only_outliers":
        mean = patches.mean(dim=0, keepdim=True)
        std = patches.std(dim=0, unbiased=True, keepdim=True)
        new = torch.where(patches > mean + std, mean.expand_as(patches), patches)
    else:
        raise ValueError(patch_values)
    rows = torch.arange(prefix, prefix + n_patches)
    hidden[rows[:, None], torch.tensor(units)[None, :]] = new
    hidden[prefix + n_patches:, units] = value


def attention(attn_mod, x, prefix, n_patches, itae):
    """Self-attention of [B, N', D] with ITAE over the patch tokens only (appended registers are never artifacts
    and never the minimum). Returns (output, attention [B, H, N', N'])."""
    B, N, D = x.shape
    H = attn_mod.num_heads
    hd = D // H
    q, k, v = attn_mod.qkv(x).split(D, dim=-1)
    comps = {"q": q, "k": k, "v": v}

    def heads(t):
        return t.reshape(B, N, H, hd).transpose(1, 2)

    logits = (heads(q) * attn_mod.scale) @ heads(k).transpose(-2, -1)   # [B, H, N', N']
    out_rows = []
    end = prefix + n_patches
    for b in range(B):
        lb = logits[b]
        if itae is not None:
            scores = comps[itae.component][b, prefix:end].norm(dim=-1)
            thr = otsu_threshold(scores.numpy())[0] if itae.threshold == "auto" else float(itae.threshold)
            mask = flag_artifacts(scores.double(), thr, itae.direction)
            # ITAE on the original token block; the appended columns keep their logits
            orig = attenuate_logits(lb[:, :, :end], mask, prefix, itae.strength, itae.rows)  # [H, N', end]
            lb = torch.cat([orig, lb[:, :, end:]], dim=-1)
        out_rows.append(lb.softmax(dim=-1))
    attn = torch.stack(out_rows)
    out = (attn @ heads(v)).transpose(1, 2).reshape(B, N, D)
    return attn_mod.proj(out), attn


@torch.no_grad()
def forward(model, images, neurons=None, n_reg=1, patch_values="zero", itae=None, hook=None, last_block=None):
    """Returns dict: cls [B, D], patch_tokens [B, Np, D] (normed), block_norms [L][B, N], cls_reg_attention
    (last block) [B, H, R]. neurons: [(block, unit)] or None (plain). hook(layer, hidden) sees activations."""
    arch = model.arch
    prefix = 1 + arch.registers
    x = model.prepare_tokens(images)
    B, N, D = x.shape
    n_patches = N - prefix
    if neurons:
        x = torch.cat([x, torch.zeros(B, n_reg, D)], dim=1)
    by_block = {}
    for blk, unit in (neurons or []):
        by_block.setdefault(blk, []).append(unit)
    norms, attn = [], None
    last = arch.depth - 1 if last_block is None else last_block
    for i in range(last + 1):
        block = model.blocks[i]
        layer_itae = itae if itae is not None and itae.applies_to(i, arch.depth) else None
        a, attn = attention(block.attn, block.norm1(x), prefix, n_patches, layer_itae)
        x = x + block.ls1(a)
        hidden = mlp_hidden(block, block.norm2(x))
        if hook is not None:
            hook(i, hidden)
        if i in by_block:
            for b in range(B):
                edit_image(hidden[b], sorted(by_block[i]), prefix, n_patches, n_reg, patch_values)
        x = x + block.ls2(mlp_out(block, hidden))
        norms.append(x[:, :N].norm(dim=-1))
    out = {"block_norms": norms}
    if last == arch.depth - 1:
        xn = model.norm(x)
        out["cls"] = xn[:, 0]
        out["patch_tokens"] = xn[:, prefix:prefix + n_patches]
        out["cls_reg_attention"] = attn[:, :, 0, N:] if neurons else None
    return out


# ---------------------------------------------------------------------------------------------- calibration

def calibrate(model, images, detect_layer, threshold, highest_layer, top_k, sparsity):
    """Register neurons of a sample [S, 3, H, W], processed one image at a time like a folder sample.
    Outliers: PATCH tokens whose norm at the output of detect_layer is above the threshold (a number, or "auto" =
    exp of Otsu's split of the log patch norms of the whole sample). Score of (block, unit), blocks 0..highest_layer:
    mean |activation| over the image's outlier tokens (times the sparsity flag when asked), averaged over the
    images that have outliers; sorted by score descending, ties by (block, unit); the first top_k."""
    arch = model.arch
    prefix = 1 + arch.registers
    norms = [forward(model, images[i:i + 1], last_block=detect_layer)["block_norms"][detect_layer][0]
             for i in range(images.shape[0])]
    patch_norms = [n[prefix:] for n in norms]
    if threshold == "auto":
        logs = torch.cat(patch_norms).log().numpy()
        thr = float(np.exp(otsu_threshold(logs)[0]))
    else:
        thr = float(threshold)
    per_image, used = [], []
    for i in range(images.shape[0]):
        flags = torch.zeros(norms[i].shape[0], dtype=torch.bool)
        flags[prefix:] = patch_norms[i] > torch.tensor(thr, dtype=torch.float32)
        if not flags.any():
            continue
        used.append(i)
        scores = torch.zeros(highest_layer + 1, arch.mlp_hidden)

        def hook(layer, hidden, flags=flags, scores=scores):
            act = hidden[0]
            s = act[flags].abs().mean(dim=0)
            if sparsity:
                sparse = (act < SPARSE_ACTIVATION).sum(dim=0) >= SPARSE_FRACTION * act.shape[0]
                s = s * sparse.float()
            scores[layer] = s

        forward(model, images[i:i + 1], hook=hook, last_block=highest_layer)
        per_image.append(scores.double())
    if not used:
        raise ValueError("no image has an outlier token")
    mean = torch.stack(per_image).mean(dim=0)                          # [blocks, hidden] float64
    flat = [(-mean[b, u].item(), b, u) for b in range(mean.shape[0]) for u in range(mean.shape[1])]
    flat.sort()
    ranked = [(b, u, -s) for s, b, u in flat]
    return {"threshold": thr, "images_with_outliers": used, "neurons": ranked[:top_k], "next": ranked[top_k],
            "patch_norms": [p.tolist() for p in patch_norms]}


# -------------------------------------------------------------------------------------------- fixtures

def plant_outliers(arch, sd, images, block, units, seed):
    """Makes `units` of `block` register-neuron-like: active on ~5 % of tokens, with a large output weight."""
    model = DinoVisionTransformer(arch)
    model.load_state_dict(sd)
    captured = {}

    def hook(layer, hidden):
        captured[layer] = hidden
    # pre-activations of block `block` (blocks before it are unchanged by the edit)
    with torch.no_grad():
        x = model.prepare_tokens(images)
        for i in range(block):
            x = model.blocks[i](x, 1 + arch.registers)
        b = model.blocks[block]
        h = b.norm2(x + b.ls1(b.attn(b.norm1(x), 1 + arch.registers)))
    g = torch.Generator().manual_seed(seed)
    if arch.ffn == "swiglu":
        hid = arch.mlp_hidden
        w, bias = sd[f"blocks.{block}.mlp.w12.weight"], sd[f"blocks.{block}.mlp.w12.bias"]
        out_w = sd[f"blocks.{block}.mlp.w3.weight"]
        for u in units:
            pre = h @ w[u] + bias[u]
            cut = torch.quantile(pre.flatten(), 0.96)
            bias[u] = (bias[u] - cut) * 10
            w[u] = w[u] * 10
            w[hid + u] = w[hid + u] * 0.1                  # the x2 half: a positive gate near 2
            bias[hid + u] = 2.0
            out_w[:, u] = torch.randn(arch.dim, generator=g) * 6.0
    else:
        w, bias = sd[f"blocks.{block}.mlp.fc1.weight"], sd[f"blocks.{block}.mlp.fc1.bias"]
        out_w = sd[f"blocks.{block}.mlp.fc2.weight"]
        for u in units:
            pre = h @ w[u] + bias[u]
            cut = torch.quantile(pre.flatten(), 0.96)
            bias[u] = (bias[u] - cut) * 10
            w[u] = w[u] * 10
            out_w[:, u] = torch.randn(arch.dim, generator=g) * 6.0
    return sd


def make_images(count, size, seed):
    """Normalised-looking inputs [count, 3, size, size]: smooth random fields plus a few flat regions."""
    g = torch.Generator().manual_seed(seed)
    low = torch.randn(count, 3, size // 14, size // 14, generator=g)
    x = F.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
    x = x + 0.3 * torch.randn(count, 3, size, size, generator=g)
    for i in range(count):                       # a flat band, like sky
        x[i, :, : size // 4, :] = x[i, :, : size // 4, :].mean(dim=(1, 2), keepdim=True)
    return x.float().contiguous()


def check_margin(tag, values, threshold, rel=1e-4):
    gap = (values - threshold).abs().min().item() / abs(threshold)
    assert gap > rel, f"{tag}: a value is within {gap:.2e} (relative) of the threshold {threshold}"


def check_ranking(tag, ranked_with_next, rel=2e-5):
    s = [r[2] for r in ranked_with_next]
    for a, b in zip(s, s[1:]):
        assert (a - b) > rel * max(abs(a), 1e-3), f"{tag}: scores {a} and {b} too close for a stable order"


def tensor_list(t, digits=8):
    return np.asarray(t, dtype=np.float64).round(12).tolist() if False else \
        [float(f"{v:.{digits}g}") for v in np.asarray(t, dtype=np.float64).ravel()]


def case(name, arch, seed, plant_block, plant_units, detect_layer, top_k):
    os.makedirs(OUT, exist_ok=True)
    calib = make_images(8, 84, seed + 1)
    sd = random_weights(arch, seed)
    sd = plant_outliers(arch, sd, calib, plant_block, plant_units, seed + 2)
    model = DinoVisionTransformer(arch)
    model.load_state_dict(sd)
    model.eval()
    write_safetensors(os.path.join(OUT, f"{name}.safetensors"), {k: v.contiguous() for k, v in sd.items()})
    write_safetensors(os.path.join(OUT, f"{name}_inputs.safetensors"), {"calibration": calib})
    golden = {"arch": {"dim": arch.dim, "depth": arch.depth, "heads": arch.heads, "registers": arch.registers,
                       "ffn": arch.ffn, "hidden": arch.mlp_hidden},
              "planted": {"block": plant_block, "units": plant_units}, "calibration": {}, "inference": {}}
    prefix = 1 + arch.registers
    settings = {"auto": ("auto", False), "fixed_sparse": (None, True)}
    auto = calibrate(model, calib, detect_layer, "auto", detect_layer, top_k, False)
    for key, (thr, sparse) in settings.items():
        t = auto["threshold"] * 1.1 if thr is None else thr
        c = auto if key == "auto" else calibrate(model, calib, detect_layer, t, detect_layer, top_k, sparse)
        for i, pn in enumerate(c["patch_norms"]):
            check_margin(f"{name}/{key} image {i}", torch.tensor(pn), c["threshold"])
        check_ranking(f"{name}/{key}", c["neurons"] + [c["next"]])
        golden["calibration"][key] = {
            "detect_layer": detect_layer, "highest_layer": detect_layer, "top_k": top_k, "sparsity_filter": sparse,
            "threshold_setting": "auto" if thr == "auto" else t, "threshold": c["threshold"],
            "images_with_outliers": c["images_with_outliers"],
            "neurons": [[b, u, float(f"{s:.9g}")] for b, u, s in c["neurons"]]}
    neurons = [(b, u) for b, u, _ in auto["neurons"]]
    batch = calib[:4]
    itae = Itae(component="v", threshold="auto", direction="below", strength=1.0, layers=None, rows="all")
    runs = {"off": dict(neurons=None), "zero_r1": dict(neurons=neurons, n_reg=1, patch_values="zero"),
            "mean_r2": dict(neurons=neurons, n_reg=2, patch_values="mean"),
            "only_outliers_r1": dict(neurons=neurons, n_reg=1, patch_values="only_outliers"),
            "zero_r1_itae": dict(neurons=neurons, n_reg=1, patch_values="zero", itae=itae),
            "itae": dict(neurons=None, itae=itae)}
    for key, kw in runs.items():
        o = forward(model, batch, **kw)
        entry = {"neurons": kw.get("neurons") is not None, "count": kw.get("n_reg", 0),
                 "patch_values": kw.get("patch_values"), "itae": kw.get("itae") is not None,
                 "embedding": [tensor_list(e) for e in o["cls"]],
                 "mean_pooled": [tensor_list(e) for e in o["patch_tokens"].mean(dim=1)],
                 "block_norms": [[tensor_list(n[b]) for b in range(batch.shape[0])] for n in o["block_norms"]]}
        if o["cls_reg_attention"] is not None:
            entry["cls_register_attention"] = [[tensor_list(h) for h in img] for img in o["cls_reg_attention"]]
        golden["inference"][key] = entry
    # how much the fix moved the high-norm tokens (a sanity number, not compared)
    before = golden["inference"]["off"]["block_norms"][detect_layer]
    after = golden["inference"]["zero_r1"]["block_norms"][detect_layer]
    golden["max_patch_norm"] = {"off": max(max(n[prefix:]) for n in before),
                                "zero_r1": max(max(n[prefix:]) for n in after)}
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")
    print(name, "threshold", auto["threshold"], "images", auto["images_with_outliers"], "top",
          auto["neurons"][:5], "max patch norm", golden["max_patch_norm"])


def main():
    torch.set_num_threads(1)
    # S/14-shaped: GELU MLP, no registers; g/14-shaped: SwiGLU, 4 trained registers
    case("s14_tiny", Arch.original(128, 4), 11, plant_block=1, plant_units=[7, 100, 301], detect_layer=2, top_k=12)
    case("g14_tiny_reg4", Arch.with_registers(128, 4, ffn="swiglu"), 21, plant_block=1, plant_units=[5, 77, 200],
         detect_layer=2, top_k=12)


if __name__ == "__main__":
    main()
