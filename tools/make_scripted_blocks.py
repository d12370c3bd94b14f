#!/usr/bin/python3
"""Writes resources/model/dinov2_blocks.pt: the transformer blocks of DINOv2's plain forward as one TorchScript
function, which org.itaestudio.model.CompiledBlocks runs in a single libtorch call.

Why a script at all: the Java forward (DinoV2) issues about 25 libtorch ops per block from Java, one JNI call and
one OpenMP parallel region each; between two ops libtorch's threads go idle and must be woken. Run as one TorchScript
call, the same ops follow each other inside libtorch (measured in docs/benchmarks.md). The arithmetic is the Java
forward's, op for op (same libtorch kernels, same order, q scaled after the split, exact GELU, the bias added after
the product), so the two agree bit for bit; CompiledBlocksTest checks it on every fixture architecture (plain MLP, registers, SwiGLU).

The file holds code only, no weights: the weights come in as a list, 14 tensors per block in the order of
DinoV2's Block record (norm1 w/b, qkv w/b, proj w/b, ls1, norm2 w/b, fc1 w/b, fc2 w/b, ls2).
Run with Debian's interpreter (python3-torch 1.13; libtorch 2.5.1 reads TorchScript files of older versions):
  /usr/bin/python3 tools/make_scripted_blocks.py
"""

from pathlib import Path
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor

OUT = Path(__file__).resolve().parent.parent / "resources" / "model" / "dinov2_blocks.pt"
WEIGHTS_PER_BLOCK = 14


def linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """x W^T + b as DJL's Linear.linear issues it (a product, then the bias added in place), not addmm: so that the
    result is bit for bit the Java blocks' (addmm adds the bias inside the product and rounds differently)."""
    return torch.matmul(x, weight.t()).add_(bias)


def block(x: Tensor, w: List[Tensor], heads: int, swiglu: bool, eps: float) -> Tensor:
    """One pre-norm block, x [B, N, D] -> [B, N, D]; x is the caller's own hidden state and is updated in place."""
    b, n, d = x.size(0), x.size(1), x.size(2)
    hd = d // heads
    h = F.layer_norm(x, [d], w[0], w[1], eps)
    qkv = linear(h, w[2], w[3])                                              # [B, N, 3D]
    split = qkv.reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4)            # [3, B, H, N, hd]
    q = split[0] * (hd ** -0.5)
    attn = torch.matmul(q, split[1].transpose(2, 3)).softmax(-1)              # [B, H, N, N]
    out = torch.matmul(attn, split[2]).transpose(1, 2).reshape(b, n, d)       # [B, N, D]
    x.add_(linear(out, w[4], w[5]).mul_(w[6]))
    h = F.layer_norm(x, [d], w[7], w[8], eps)
    if swiglu:
        x12 = linear(h, w[9], w[10])                                         # [B, N, 2 * hidden]
        hidden = x12.size(2) // 2
        x1 = x12[:, :, :hidden]
        m = x1.mul(torch.sigmoid(x1)).mul(x12[:, :, hidden:])                  # silu(x1) * x2
    else:
        m = F.gelu(linear(h, w[9], w[10]))                                   # exact (erf) GELU
    return x.add_(linear(m, w[11], w[12]).mul_(w[13]))


class DinoV2Blocks(torch.nn.Module):
    def forward(self, x: Tensor, weights: List[Tensor], heads: int, swiglu: bool, eps: float) -> Tensor:
        """x [B, N, D] (CLS, registers, patches) -> the last block's output [B, N, D]."""
        per = 14  # WEIGHTS_PER_BLOCK (TorchScript cannot read module globals)
        for i in range(len(weights) // per):
            x = block(x, weights[i * per:(i + 1) * per], heads, swiglu, eps)
        return x


def main():
    scripted = torch.jit.script(DinoV2Blocks())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    scripted.save(str(OUT))
    print(f"{OUT} ({OUT.stat().st_size} bytes), torch {torch.__version__}")


if __name__ == "__main__":
    main()
