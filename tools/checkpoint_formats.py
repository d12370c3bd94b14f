"""Checkpoint file formats for the DINOv2 reference, written by hand (no safetensors/transformers packages).

* safetensors: 8-byte little-endian header length, a JSON header
  {"__metadata__": {...}, name: {"dtype": "F32"|"F16"|"BF16", "shape": [...], "data_offsets": [begin, end]}},
  padded with spaces to a multiple of 8, then the raw little-endian tensor bytes (offsets are relative to the
  first byte after the header).
* Hugging Face names (transformers' Dinov2Model / Dinov2WithRegistersModel) <-> official facebookresearch/dinov2
  names. The official fused `attn.qkv` is split along dim 0 into query, key, value (in that order).
"""

import json
import re
import struct

import numpy as np
import torch

SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
_DTYPE_BYTES = {"F32": 4, "F16": 2, "BF16": 2}


# ----------------------------------------------------------------------------------------------- safetensors

def _tensor_bytes(t):
    """Raw little-endian bytes of a contiguous tensor (numpy has no bfloat16, so BF16 goes through int16)."""
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    if t.dtype == torch.float16:
        return t.numpy().astype("<f2").tobytes()
    if t.dtype == torch.float32:
        return t.numpy().astype("<f4").tobytes()
    raise ValueError(f"unsupported dtype {t.dtype}")


def write_safetensors(path, tensors, metadata=None):
    """Write {name: tensor} in name order; every tensor keeps its own dtype (F32, F16 or BF16)."""
    header = {"__metadata__": dict(metadata or {"format": "pt"})}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        data = _tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for data in blobs:
            f.write(data)


def read_safetensors(path):
    """Read a safetensors file. Returns ({name: float32 tensor}, {name: dtype string}, metadata)."""
    with open(path, "rb") as f:
        raw = f.read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    if header_len > len(raw) - 8:
        raise ValueError(f"{path}: header length {header_len} beyond end of file")
    header = json.loads(raw[8:8 + header_len].decode("utf-8"))
    data = raw[8 + header_len:]
    metadata = header.pop("__metadata__", {})
    tensors, dtypes = {}, {}
    for name, info in header.items():
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        numel = int(np.prod(shape)) if shape else 1
        if end - begin != numel * _DTYPE_BYTES[dtype] or end > len(data):
            raise ValueError(f"{path}: bad data_offsets for {name}")
        chunk = data[begin:end]
        if dtype == "F32":
            values = np.frombuffer(chunk, dtype="<f4")
        elif dtype == "F16":
            values = np.frombuffer(chunk, dtype="<f2").astype(np.float32)
        else:  # BF16: the upper half of a float32
            values = (np.frombuffer(chunk, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        tensors[name] = torch.from_numpy(values.astype(np.float32).reshape(shape).copy())
        dtypes[name] = dtype
    return tensors, dtypes, metadata


# ------------------------------------------------------------------------------------- Hugging Face naming

_SIMPLE_TO_HF = {
    "cls_token": "embeddings.cls_token",
    "mask_token": "embeddings.mask_token",
    "pos_embed": "embeddings.position_embeddings",
    "register_tokens": "embeddings.register_tokens",
    "patch_embed.proj.weight": "embeddings.patch_embeddings.projection.weight",
    "patch_embed.proj.bias": "embeddings.patch_embeddings.projection.bias",
    "norm.weight": "layernorm.weight",
    "norm.bias": "layernorm.bias",
}

_BLOCK_TO_HF = {  # official suffix inside blocks.N -> HF suffix inside encoder.layer.N
    "norm1.weight": "norm1.weight", "norm1.bias": "norm1.bias",
    "attn.proj.weight": "attention.output.dense.weight", "attn.proj.bias": "attention.output.dense.bias",
    "ls1.gamma": "layer_scale1.lambda1",
    "norm2.weight": "norm2.weight", "norm2.bias": "norm2.bias",
    "mlp.fc1.weight": "mlp.fc1.weight", "mlp.fc1.bias": "mlp.fc1.bias",
    "mlp.fc2.weight": "mlp.fc2.weight", "mlp.fc2.bias": "mlp.fc2.bias",
    "mlp.w12.weight": "mlp.weights_in.weight", "mlp.w12.bias": "mlp.weights_in.bias",
    "mlp.w3.weight": "mlp.weights_out.weight", "mlp.w3.bias": "mlp.weights_out.bias",
    "ls2.gamma": "layer_scale2.lambda1",
}
_QKV_PARTS = ("query", "key", "value")


def official_to_hf(state_dict):
    """Official names -> HF names (qkv split into query/key/value along dim 0). Keeps dtypes."""
    out = {}
    for name, t in state_dict.items():
        if name in _SIMPLE_TO_HF:
            out[_SIMPLE_TO_HF[name]] = t
            continue
        m = re.fullmatch(r"blocks\.(\d+)\.(.+)", name)
        if not m:
            raise KeyError(f"unexpected official tensor name {name}")
        layer, suffix = m.group(1), m.group(2)
        prefix = f"encoder.layer.{layer}."
        if suffix in ("attn.qkv.weight", "attn.qkv.bias"):
            kind = suffix.rsplit(".", 1)[1]
            for part, chunk in zip(_QKV_PARTS, t.chunk(3, dim=0)):
                out[f"{prefix}attention.attention.{part}.{kind}"] = chunk.clone()
        else:
            out[prefix + _BLOCK_TO_HF[suffix]] = t
    return out


def hf_to_official(hf_state_dict):
    """HF names -> official names (query/key/value concatenated back into qkv)."""
    simple_back = {v: k for k, v in _SIMPLE_TO_HF.items()}
    block_back = {v: k for k, v in _BLOCK_TO_HF.items()}
    out, qkv_parts = {}, {}
    for name, t in hf_state_dict.items():
        if name in simple_back:
            out[simple_back[name]] = t
            continue
        m = re.fullmatch(r"encoder\.layer\.(\d+)\.(.+)", name)
        if not m:
            raise KeyError(f"unexpected HF tensor name {name}")
        layer, suffix = m.group(1), m.group(2)
        q = re.fullmatch(r"attention\.attention\.(query|key|value)\.(weight|bias)", suffix)
        if q:
            qkv_parts.setdefault((layer, q.group(2)), {})[q.group(1)] = t
        else:
            out[f"blocks.{layer}.{block_back[suffix]}"] = t
    for (layer, kind), parts in qkv_parts.items():
        out[f"blocks.{layer}.attn.qkv.{kind}"] = torch.cat([parts[p] for p in _QKV_PARTS], dim=0)
    return out


def hf_config(arch, torch_dtype):
    """config.json as transformers writes it for Dinov2Model / Dinov2WithRegistersModel."""
    with_registers = arch.registers > 0
    config = {
        "architectures": ["Dinov2WithRegistersModel" if with_registers else "Dinov2Model"],
        "attention_probs_dropout_prob": 0.0,
        "drop_path_rate": 0.0,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "hidden_size": arch.dim,
        "image_size": arch.patch_size * arch.pos_grid,
        "initializer_range": 0.02,
        "layer_norm_eps": arch.ln_eps,
        "layerscale_value": 1.0,
        "mlp_ratio": 4,
        "model_type": "dinov2_with_registers" if with_registers else "dinov2",
        "num_attention_heads": arch.heads,
        "num_channels": 3,
        "num_hidden_layers": arch.depth,
        "patch_size": arch.patch_size,
        "qkv_bias": True,
        "torch_dtype": {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16"}[torch_dtype],
        "use_swiglu_ffn": arch.ffn == "swiglu",
    }
    if with_registers:
        config["num_register_tokens"] = arch.registers
    return config
