#!/usr/bin/python3
"""Writes the small checkpoint fixtures for org.itaestudio.model.weights tests.

Run with Debian's interpreter (torch 1.13, numpy):  /usr/bin/python3 tools/make_weight_fixtures.py
Output: src/test/resources/weights/ (all files together stay well under 500 KB).

Everything the Java tests compare against is computed here by torch/numpy and written to JSON:
  conversions.json       numpy float16->float32 and torch bfloat16->float32 for all 65536 bit patterns
                          (SHA-256 of the float32 little-endian bytes) plus a few explicit samples
  small_state.pth/.json  torch.save of a state dict with F32/F16/BF16 tensors, shared storages, views with
                          offsets, transposed / permuted / expanded (stride 0) views, a 0-d and an empty tensor,
                          an nn.Parameter, an int64 tensor, and the `_metadata` attribute a module state dict has
  small_state_p4.pth     the same saved with pickle protocol 4
  nested_model.pth/.json {"model": state_dict, "epoch": 7, "note": "..."}
  legacy_format.pth      torch's pre-1.6 (non-zip) serialization
  malicious_system.pth   torch.save of an object whose __reduce__ is posix.system   (never loaded here)
  malicious_exec.pth     torch.save of an object whose __reduce__ is builtins.exec  (never loaded here;
                          protocol 2 spells it __builtin__.exec)
  tiny_reg.pth, tiny_reg_hf/, tiny_reg_official_f16.safetensors
                          one tiny DINOv2 (4 registers, MLP) in official .pth (F32), Hugging Face layout (F32,
                          q/k/v split) and an official-named F16 safetensors; values are float16-exact so all
                          three hold identical numbers
  tiny_swiglu_hf/, tiny_swiglu_teacher.pth
                          one tiny SwiGLU DINOv2 without registers in HF layout (F32) and as a DINOv2 training
                          style {"teacher": {"backbone.blocks.<chunk>.<i>....": bf16}} checkpoint; values are
                          bfloat16-exact so both hold identical numbers
"""
import collections
import hashlib
import json
import os
import struct
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "test" / "resources" / "weights"


def f32_bits(t):
    """float32 bit patterns (as unsigned ints) of a tensor's values in row-major order."""
    a = t.detach().to(torch.float32).contiguous().numpy().reshape(-1)
    return [int(x) for x in a.view(np.uint32)]


def describe(sd):
    out = collections.OrderedDict()
    for name, t in sd.items():
        if not torch.is_tensor(t) or t.dtype not in (torch.float32, torch.float16, torch.bfloat16):
            continue
        out[name] = {
            "dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype],
            "shape": list(t.shape),
            "contiguous": bool(t.is_contiguous()),
            "bits": f32_bits(t),
        }
    return out


def write_json(path, obj):
    path.write_text(json.dumps(obj, indent=1) + "\n")


# ---------------------------------------------------------------- float16 / bfloat16 reference conversions
def conversions():
    h = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    f16 = h.view(np.float16).astype(np.float32)  # numpy keeps NaN payloads exactly
    bf16 = torch.from_numpy(h.astype(np.int16)).view(torch.bfloat16).to(torch.float32).numpy()
    samples = [0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x3555, 0x7BFF, 0xFBFF,
               0x7C00, 0xFC00, 0x7C01, 0x7E00, 0xFE00, 0x7FFF, 0x8001, 0x83FF, 0x1234, 0xC000]
    return {
        "f16_to_f32_sha256": hashlib.sha256(f16.astype("<f4").tobytes()).hexdigest(),
        "bf16_to_f32_sha256": hashlib.sha256(bf16.astype("<f4").tobytes()).hexdigest(),
        "f16_samples": [[s, int(f16.view(np.uint32)[s])] for s in samples],
        "bf16_samples": [[s, int(bf16.view(np.uint32)[s])] for s in samples],
    }


# ---------------------------------------------------------------- small state dict with every tensor layout
def small_state():
    g = torch.Generator().manual_seed(1234)
    sd = collections.OrderedDict()
    sd["f32_matrix"] = torch.randn(3, 4, generator=g)
    sd["f16_specials"] = torch.tensor(
        [0.0, -0.0, 1.0, -2.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 3.0e-06,
         float("inf"), float("-inf"), float("nan"), 0.333251953125], dtype=torch.float16)
    sd["bf16_values"] = torch.cat([torch.randn(6, generator=g) * 100,
                                   torch.tensor([float("inf"), float("-inf"), float("nan"), 1e-40, -3.0e38])]
                                  ).to(torch.bfloat16)
    sd["transposed"] = torch.randn(3, 5, generator=g).t()
    base = torch.randn(4, 6, generator=g)
    sd["shared_base"] = base
    sd["shared_rows"] = base[1:3]          # contiguous view, storage offset 6
    sd["shared_col"] = base[:, 2]          # stride 6, storage offset 2
    sd["permuted4d"] = torch.randn(2, 3, 4, 5, generator=g).permute(0, 2, 3, 1)
    sd["expanded"] = torch.randn(3, 1, generator=g).expand(3, 4)   # stride 0
    sd["half_view"] = torch.randn(4, 4, generator=g).to(torch.float16)[:, 1:3]
    sd["scalar"] = torch.tensor(3.5)
    sd["empty"] = torch.zeros(0, 3)
    sd["param"] = torch.nn.Parameter(torch.randn(5, generator=g))
    sd["int64_counter"] = torch.tensor([7, 8], dtype=torch.int64)
    # what nn.Module.state_dict() attaches; pickled as BUILD on the OrderedDict
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("blocks", {"version": 2})])
    assert not sd["transposed"].is_contiguous() and not sd["shared_col"].is_contiguous()
    torch.save(sd, OUT / "small_state.pth")
    # protocol 4 uses FRAME, MEMOIZE, SHORT_BINUNICODE and STACK_GLOBAL instead
    torch.save(sd, OUT / "small_state_p4.pth", pickle_protocol=4)
    write_json(OUT / "small_state.json", {"tensors": describe(sd), "skipped": {"int64_counter": "torch.LongStorage"}})


def nested():
    g = torch.Generator().manual_seed(99)
    inner = collections.OrderedDict()
    inner["backbone.weight"] = torch.randn(2, 3, generator=g)
    inner["backbone.bias"] = torch.randn(2, generator=g).to(torch.bfloat16)
    torch.save({"model": inner, "epoch": 7, "note": "wrapped", "lr": 0.5, "flags": [True, None]},
               OUT / "nested_model.pth")
    write_json(OUT / "nested_model.json", {"wrapper": "model", "tensors": describe(inner)})


def legacy():
    torch.save({"w": torch.ones(2)}, OUT / "legacy_format.pth", _use_new_zipfile_serialization=False)


# Harmless payloads that leave evidence: the Java tests check that these marker files never appear.
MARKER_SYSTEM = "/tmp/itae-studio-pickle-system-ran"
MARKER_EXEC = "/tmp/itae-studio-pickle-exec-ran"


class _System:
    def __reduce__(self):
        return (os.system, ("touch " + MARKER_SYSTEM,))


class _Exec:
    def __reduce__(self):
        return (exec, ("open(%r, 'w').close()" % MARKER_EXEC,))


def malicious():
    # torch.save only pickles: the __reduce__ result is recorded, never called. The files are never loaded.
    ok = torch.arange(4, dtype=torch.float32)
    torch.save(collections.OrderedDict([("ok", ok), ("evil", _System())]), OUT / "malicious_system.pth")
    torch.save(collections.OrderedDict([("ok", ok), ("evil", _Exec())]), OUT / "malicious_exec.pth")


# ---------------------------------------------------------------- tiny DINOv2 checkpoints
def tiny_official(dim, depth, regs, hidden, swiglu, patch, grid, seed, exact_dtype):
    """Official-named state dict with non-trivial values that are exact in exact_dtype."""
    g = torch.Generator().manual_seed(seed)

    def r(*shape, scale=0.5, offset=0.0):
        return (torch.randn(*shape, generator=g) * scale + offset).to(exact_dtype).to(torch.float32)

    sd = collections.OrderedDict()
    sd["cls_token"] = r(1, 1, dim)
    sd["pos_embed"] = r(1, 1 + grid * grid, dim)
    if regs:
        sd["register_tokens"] = r(1, regs, dim)
    sd["mask_token"] = r(1, dim)
    sd["patch_embed.proj.weight"] = r(dim, 3, patch, patch)
    sd["patch_embed.proj.bias"] = r(dim)
    for i in range(depth):
        b = f"blocks.{i}."
        sd[b + "norm1.weight"] = r(dim, offset=1.0)
        sd[b + "norm1.bias"] = r(dim, scale=0.1)
        sd[b + "attn.qkv.weight"] = r(3 * dim, dim)
        sd[b + "attn.qkv.bias"] = r(3 * dim)
        sd[b + "attn.proj.weight"] = r(dim, dim)
        sd[b + "attn.proj.bias"] = r(dim)
        sd[b + "ls1.gamma"] = r(dim, scale=0.1, offset=0.2)
        sd[b + "norm2.weight"] = r(dim, offset=1.0)
        sd[b + "norm2.bias"] = r(dim, scale=0.1)
        if swiglu:
            sd[b + "mlp.w12.weight"] = r(2 * hidden, dim)
            sd[b + "mlp.w12.bias"] = r(2 * hidden)
            sd[b + "mlp.w3.weight"] = r(dim, hidden)
            sd[b + "mlp.w3.bias"] = r(dim)
        else:
            sd[b + "mlp.fc1.weight"] = r(hidden, dim)
            sd[b + "mlp.fc1.bias"] = r(hidden)
            sd[b + "mlp.fc2.weight"] = r(dim, hidden)
            sd[b + "mlp.fc2.bias"] = r(dim)
        sd[b + "ls2.gamma"] = r(dim, scale=0.1, offset=0.2)
    sd["norm.weight"] = r(dim, offset=1.0)
    sd["norm.bias"] = r(dim, scale=0.1)
    return sd


def to_hf(sd, dim):
    """Rename official -> Hugging Face Dinov2Model names, splitting qkv into query/key/value."""
    hf = collections.OrderedDict()
    top = {"cls_token": "embeddings.cls_token", "mask_token": "embeddings.mask_token",
           "pos_embed": "embeddings.position_embeddings", "register_tokens": "embeddings.register_tokens",
           "patch_embed.proj.weight": "embeddings.patch_embeddings.projection.weight",
           "patch_embed.proj.bias": "embeddings.patch_embeddings.projection.bias",
           "norm.weight": "layernorm.weight", "norm.bias": "layernorm.bias"}
    inner = {"norm1": "norm1", "attn.proj": "attention.output.dense", "ls1.gamma": "layer_scale1.lambda1",
             "ls2.gamma": "layer_scale2.lambda1", "norm2": "norm2", "mlp.fc1": "mlp.fc1", "mlp.fc2": "mlp.fc2",
             "mlp.w12": "mlp.weights_in", "mlp.w3": "mlp.weights_out"}
    for name, t in sd.items():
        if name in top:
            hf[top[name]] = t
            continue
        _, i, rest = name.split(".", 2)
        p = f"encoder.layer.{i}."
        if rest.startswith("attn.qkv."):
            kind = rest.split(".")[-1]
            q, k, v = t.split(dim, dim=0)
            for part, val in (("query", q), ("key", k), ("value", v)):
                hf[p + f"attention.attention.{part}.{kind}"] = val.clone()
            continue
        for src, dst in inner.items():
            if rest.startswith(src + ".") or rest == src:
                hf[p + dst + rest[len(src):]] = t
                break
        else:
            raise KeyError(name)
    return hf


def write_safetensors(path, tensors, dtype_map=None):
    """Minimal safetensors writer (the safetensors package is not installed): header padded to 8 bytes."""
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
    header, blobs, offset = collections.OrderedDict(), [], 0
    header["__metadata__"] = {"format": "pt"}
    for name, t in tensors.items():
        t = t.contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode()
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)


def tiny_models():
    # A: 4 registers, GELU MLP, float16-exact values
    dim, depth, regs, hidden, patch, grid = 16, 2, 4, 64, 2, 3
    a = tiny_official(dim, depth, regs, hidden, False, patch, grid, seed=7, exact_dtype=torch.float16)
    a._metadata = collections.OrderedDict([("", {"version": 1})])
    torch.save(a, OUT / "tiny_reg.pth")
    d = OUT / "tiny_reg_hf"
    d.mkdir(exist_ok=True)
    write_safetensors(d / "model.safetensors", to_hf(a, dim))
    write_json(d / "config.json", {
        "architectures": ["Dinov2WithRegistersModel"], "model_type": "dinov2_with_registers",
        "hidden_size": dim, "num_hidden_layers": depth, "num_attention_heads": 1, "mlp_ratio": 4,
        "use_swiglu_ffn": False, "num_register_tokens": regs, "layer_norm_eps": 1e-6, "hidden_act": "gelu",
        "image_size": grid * patch, "patch_size": patch, "num_channels": 3, "qkv_bias": True,
        "layerscale_value": 1.0, "torch_dtype": "float32"})
    write_safetensors(OUT / "tiny_reg_official_f16.safetensors",
                      collections.OrderedDict((k, v.to(torch.float16)) for k, v in a.items()))

    # B: SwiGLU, no registers, bfloat16-exact values, 2 heads in config.json
    dim, depth, patch, grid = 16, 2, 2, 4
    hidden = (int(dim * 4 * 2 / 3) + 7) // 8 * 8
    b = tiny_official(dim, depth, 0, hidden, True, patch, grid, seed=8, exact_dtype=torch.bfloat16)
    d = OUT / "tiny_swiglu_hf"
    d.mkdir(exist_ok=True)
    write_safetensors(d / "model.safetensors", to_hf(b, dim))
    write_json(d / "config.json", {
        "architectures": ["Dinov2Model"], "model_type": "dinov2",
        "hidden_size": dim, "num_hidden_layers": depth, "num_attention_heads": 2, "mlp_ratio": 4,
        "use_swiglu_ffn": True, "layer_norm_eps": 1e-6, "hidden_act": "gelu",
        "image_size": grid * patch, "patch_size": patch, "num_channels": 3})
    # DINOv2 training layout: block_chunks=2 gives blocks.<chunk>.<global index>; heads live next to backbone
    teacher = collections.OrderedDict()
    for k, v in b.items():
        if k.startswith("blocks."):
            i = int(k.split(".")[1])
            k = f"blocks.{i * 2 // depth}.{k[len('blocks.'):]}"
        teacher["backbone." + k] = v.to(torch.bfloat16)
    teacher["dino_head.last_layer.weight"] = torch.ones(3, dim)
    torch.save({"teacher": teacher, "iteration": 12}, OUT / "tiny_swiglu_teacher.pth")


def main():
    if not torch.__version__:
        sys.exit("needs torch")
    OUT.mkdir(parents=True, exist_ok=True)
    write_json(OUT / "conversions.json", conversions())
    small_state()
    nested()
    legacy()
    malicious()
    tiny_models()
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote fixtures to {OUT} ({total} bytes) with torch {torch.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
