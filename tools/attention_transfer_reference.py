#!/usr/bin/python3
"""Independent PyTorch reference of attention transfer (Li et al., NeurIPS 2024, arXiv 2411.09702), written from the
paper and the behaviour of the official code (alexlioralexli/attention-transfer), as ITAE Studio defines it in
the attention-transfer definitions (Li et al., arXiv 2411.09702; docs/ARCHITECTURE.md). The Java training core (org.itaestudio.model.transfer) is judged against it.

Run with Debian's interpreter (python3-torch 1.13):  /usr/bin/python3 tools/attention_transfer_reference.py
Output: src/test/resources/transfer/
  teacher.safetensors            a tiny random DINOv2-architecture teacher (official names: the Java DinoV2 loads it)
  student_native.safetensors     the native student's initial weights (teacher's components: LayerScale) + head.*
  student_standard.safetensors   the standard student's initial weights (plain pre-norm ViT, no LayerScale) + head.*
  batches.safetensors            pixels [steps, B, 3, 32, 32] (already normalised) and labels [steps, B] (as floats)
  teacher_reg4.safetensors, student_native_reg4.safetensors
                                 the same with 4 register tokens, for the case native_reg4_distill
  teacher_swiglu.safetensors, student_native_swiglu.safetensors
                                 the same with DINOv2-g's SwiGLU MLP, for the case native_swiglu_distill
  <case>.safetensors             grad.<name>: every gradient of the first batch; after.<name>: weights after 5 AdamW steps
  golden.json                    settings, learning rate per step, and per case: per-layer attention losses,
                                 classification, attention and total loss of every step

What it computes (no augmentation, no drop path, float32):
  scores of layer l      A_l = (q k^T) / sqrt(head_dim) before softmax, [B, H, N, N], all query rows
  copy                   in transferred layers the student's attention is softmax(A_l of the teacher)
  distill                loss = CE + lambda * sum over transferred l of mean over (b, h, i) of
                         -sum_j softmax(A_teacher)[b,h,i,j] * log_softmax(S_student)[b,h,i,j]
  transferred layers     every block but the last 3
  optimiser              torch.optim.AdamW; no weight decay for 1-D tensors (norms, biases, LayerScale), biases,
                         cls_token / register_tokens / pos_embed; gradient clipping at a global L2 norm;
                         learning rate per step: linear warm-up from 0, then cosine decay to min_lr
The teacher is frozen: it runs under torch.no_grad and its attention is a constant to the student.
"""

import collections
import json
import math
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_weight_fixtures import write_safetensors  # the project's one safetensors writer (no package in Debian)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "test" / "resources" / "transfer"

SETTINGS = dict(image=32, patch=8, dim=32, depth=5, heads=2, mlp_ratio=4, classes=3, batch=4, steps=5,
                atd_weight=3.0, keep_last=3, lr=1e-3, min_lr=1e-5, warmup_steps=2, weight_decay=0.05,
                betas=(0.9, 0.999), eps=1e-8, clip_grad=1.0, layer_norm_eps=1e-6, seed=20241114)


class Block(nn.Module):
    """Pre-norm block: x + ls1 * attn(norm1(x)), then x + ls2 * mlp(norm2(x)); LayerScale only when native."""

    def __init__(self, dim, heads, hidden, layer_scale, eps, swiglu=False):
        super().__init__()
        self.heads = heads
        self.swiglu = swiglu
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.fc1 = nn.Linear(dim, 2 * hidden if swiglu else hidden)  # SwiGLU: both halves in one projection
        self.fc2 = nn.Linear(hidden, dim)
        self.ls1 = nn.Parameter(torch.ones(dim)) if layer_scale else None
        self.ls2 = nn.Parameter(torch.ones(dim)) if layer_scale else None

    def attend(self, h, given):
        """Returns (output, pre-softmax scores or None); `given` replaces the attention weights (copy)."""
        b, n, d = h.shape
        hd = d // self.heads
        q, k, v = self.qkv(h).view(b, n, 3, self.heads, hd).unbind(2)       # each [B, N, H, hd]
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))                      # [B, H, N, hd]
        scores = None
        if given is None:
            scores = torch.einsum("bhid,bhjd->bhij", q, k) / math.sqrt(hd)   # [B, H, N, N]
            weights = scores.softmax(-1)
        else:
            weights = given
        out = torch.einsum("bhij,bhjd->bhid", weights, v).transpose(1, 2).reshape(b, n, d)
        return self.proj(out), scores

    def forward(self, x, given=None):
        a, scores = self.attend(self.norm1(x), given)
        x = x + (a * self.ls1 if self.ls1 is not None else a)
        if self.swiglu:
            gate, value = self.fc1(self.norm2(x)).chunk(2, dim=-1)
            m = self.fc2(F.silu(gate) * value)
        else:
            m = self.fc2(F.gelu(self.fc1(self.norm2(x))))                    # exact (erf) GELU
        x = x + (m * self.ls2 if self.ls2 is not None else m)
        return x, scores


class ViT(nn.Module):
    """CLS + patch tokens with a learned position embedding on both, registers (if any) inserted after CLS, pre-norm
    blocks, final norm, head on CLS."""

    def __init__(self, s, layer_scale, classes, registers=0, swiglu=False):
        super().__init__()
        d, grid = s["dim"], s["image"] // s["patch"]
        self.patch = nn.Conv2d(3, d, s["patch"], stride=s["patch"])
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.reg = nn.Parameter(torch.zeros(1, registers, d)) if registers else None
        self.pos = nn.Parameter(torch.zeros(1, 1 + grid * grid, d))
        hidden = swiglu_hidden(d) if swiglu else s["mlp_ratio"] * d
        self.blocks = nn.ModuleList(Block(d, s["heads"], hidden, layer_scale, s["layer_norm_eps"], swiglu)
                                    for _ in range(s["depth"]))
        self.norm = nn.LayerNorm(d, eps=s["layer_norm_eps"])
        self.head = nn.Linear(d, classes) if classes else None

    def forward(self, img, given=None):
        """given: {layer: attention weights}; returns (logits or None, [scores per layer, None where given])."""
        tokens = self.patch(img).flatten(2).transpose(1, 2)                  # [B, Np, D]
        x = torch.cat([self.cls.expand(len(img), -1, -1), tokens], 1) + self.pos
        if self.reg is not None:                                             # after CLS, no position embedding
            x = torch.cat([x[:, :1], self.reg.expand(len(img), -1, -1), x[:, 1:]], 1)
        all_scores = []
        for i, blk in enumerate(self.blocks):
            x, scores = blk(x, (given or {}).get(i))
            all_scores.append(scores)
        cls = self.norm(x)[:, 0]
        return (self.head(cls) if self.head is not None else None), all_scores

    def named_weights(self):
        """Parameters under DINOv2's official names (what the Java side reads and writes)."""
        out = collections.OrderedDict()
        out["cls_token"] = self.cls
        out["pos_embed"] = self.pos
        if self.reg is not None:
            out["register_tokens"] = self.reg
        out["patch_embed.proj.weight"] = self.patch.weight
        out["patch_embed.proj.bias"] = self.patch.bias
        for i, b in enumerate(self.blocks):
            p = f"blocks.{i}."
            out[p + "norm1.weight"], out[p + "norm1.bias"] = b.norm1.weight, b.norm1.bias
            out[p + "attn.qkv.weight"], out[p + "attn.qkv.bias"] = b.qkv.weight, b.qkv.bias
            out[p + "attn.proj.weight"], out[p + "attn.proj.bias"] = b.proj.weight, b.proj.bias
            if b.ls1 is not None:
                out[p + "ls1.gamma"] = b.ls1
            out[p + "norm2.weight"], out[p + "norm2.bias"] = b.norm2.weight, b.norm2.bias
            fc1, fc2 = ("mlp.w12", "mlp.w3") if b.swiglu else ("mlp.fc1", "mlp.fc2")
            out[p + fc1 + ".weight"], out[p + fc1 + ".bias"] = b.fc1.weight, b.fc1.bias
            out[p + fc2 + ".weight"], out[p + fc2 + ".bias"] = b.fc2.weight, b.fc2.bias
            if b.ls2 is not None:
                out[p + "ls2.gamma"] = b.ls2
        out["norm.weight"], out["norm.bias"] = self.norm.weight, self.norm.bias
        if self.head is not None:
            out["head.weight"], out["head.bias"] = self.head.weight, self.head.bias
        return out


def swiglu_hidden(dim):
    """Hidden width of DINOv2's fused SwiGLU for mlp_ratio 4: 2/3 of 4 D, rounded up to a multiple of 8."""
    return (int(4 * dim * 2 / 3) + 7) // 8 * 8


def randomise(model, g):
    """Non-trivial values everywhere (norm gains around 1, LayerScale around 0.5) so every term matters."""
    with torch.no_grad():
        for name, p in model.named_weights().items():
            scale = 0.3 if p.dim() > 1 else 0.1
            offset = 1.0 if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight" \
                else 0.5 if name.endswith(".gamma") else 0.0
            p.copy_(torch.randn(p.shape, generator=g) * scale + offset)


def attention_loss(teacher_scores, student_scores):
    """mean over (b, h, i) of the cross-entropy between softmax(teacher) and the student's distribution."""
    return -(teacher_scores.softmax(-1) * student_scores.log_softmax(-1)).sum(-1).mean()


def learning_rate(step, s):
    if step < s["warmup_steps"]:
        return s["lr"] * step / s["warmup_steps"]
    t = (step - s["warmup_steps"]) / (s["steps"] - s["warmup_steps"])
    return s["min_lr"] + (s["lr"] - s["min_lr"]) * 0.5 * (1 + math.cos(math.pi * t))


def optimiser(student, s):
    names = student.named_weights()
    no_decay = [p for n, p in names.items()
                if p.dim() <= 1 or n.endswith(".bias") or n in ("cls_token", "pos_embed", "register_tokens")]
    decay = [p for p in names.values() if all(p is not q for q in no_decay)]
    return torch.optim.AdamW([{"params": decay, "weight_decay": s["weight_decay"]},
                              {"params": no_decay, "weight_decay": 0.0}], lr=s["lr"], betas=s["betas"], eps=s["eps"])


def run_case(name, arch, mode, teacher, init, batches, labels, s, registers=0, swiglu=False):
    student = ViT(s, layer_scale=(arch == "native"), classes=s["classes"], registers=registers, swiglu=swiglu)
    student.load_state_dict(init)
    layers = list(range(s["depth"] - s["keep_last"]))
    opt = optimiser(student, s)
    named = student.named_weights()
    record = {"steps": []}
    grads = None
    for step in range(s["steps"]):
        img, y = batches[step], labels[step]
        with torch.no_grad():
            _, t_scores = teacher(img)
        given = {l: t_scores[l].softmax(-1) for l in layers} if mode == "copy" else None
        logits, s_scores = student(img, given)
        ce = F.cross_entropy(logits, y)
        per_layer = [attention_loss(t_scores[l], s_scores[l]) for l in layers] if mode == "distill" else []
        atd = sum(per_layer) if per_layer else torch.zeros(())
        total = ce + s["atd_weight"] * atd
        opt.zero_grad(set_to_none=True)
        total.backward()
        if step == 0:
            grads = {n: p.grad.detach().clone() for n, p in named.items()}
        torch.nn.utils.clip_grad_norm_(list(named.values()), s["clip_grad"])
        for group in opt.param_groups:
            group["lr"] = learning_rate(step, s)
        opt.step()
        record["steps"].append({"lr": learning_rate(step, s), "classification": ce.item(), "attention": atd.item(),
                                "total": total.item(), "attention_per_layer": [v.item() for v in per_layer]})
    tensors = collections.OrderedDict()
    for n, g in grads.items():
        tensors["grad." + n] = g
    for n, p in named.items():
        tensors["after." + n] = p.detach().clone()
    write_safetensors(OUT / f"{name}.safetensors", tensors)
    return record


def detached(tensors):
    return collections.OrderedDict((n, t.detach().clone()) for n, t in tensors.items())


def main():
    s = SETTINGS
    torch.manual_seed(s["seed"])
    g = torch.Generator().manual_seed(s["seed"])
    OUT.mkdir(parents=True, exist_ok=True)
    teacher = ViT(s, layer_scale=True, classes=0)
    randomise(teacher, g)
    teacher.eval()
    write_safetensors(OUT / "teacher.safetensors", detached(teacher.named_weights()))
    inits = {}
    for arch in ("native", "standard"):
        student = ViT(s, layer_scale=(arch == "native"), classes=s["classes"])
        randomise(student, g)
        inits[arch] = student.state_dict()
        write_safetensors(OUT / f"student_{arch}.safetensors", detached(student.named_weights()))
    batches = torch.randn(s["steps"], s["batch"], 3, s["image"], s["image"], generator=g)
    labels = torch.randint(0, s["classes"], (s["steps"], s["batch"]), generator=g)
    write_safetensors(OUT / "batches.safetensors", {"pixels": batches, "labels": labels.to(torch.float32)})
    golden = {"settings": s, "torch": torch.__version__, "cases": {}}
    for arch in ("native", "standard"):
        for mode in ("copy", "distill"):
            golden["cases"][f"{arch}_{mode}"] = run_case(f"{arch}_{mode}", arch, mode, teacher, inits[arch], batches,
                                                         labels, s)
    # registers: a teacher with 4 and a native student that keeps them (token layout CLS, registers, patches)
    teacher_reg = ViT(s, layer_scale=True, classes=0, registers=4)
    randomise(teacher_reg, g)
    write_safetensors(OUT / "teacher_reg4.safetensors", detached(teacher_reg.named_weights()))
    student = ViT(s, layer_scale=True, classes=s["classes"], registers=4)
    randomise(student, g)
    write_safetensors(OUT / "student_native_reg4.safetensors", detached(student.named_weights()))
    golden["cases"]["native_reg4_distill"] = run_case("native_reg4_distill", "native", "distill", teacher_reg,
                                                      student.state_dict(), batches, labels, s, registers=4)
    # SwiGLU: a teacher with DINOv2-g's MLP and a native student that keeps it
    teacher_swiglu = ViT(s, layer_scale=True, classes=0, swiglu=True)
    randomise(teacher_swiglu, g)
    write_safetensors(OUT / "teacher_swiglu.safetensors", detached(teacher_swiglu.named_weights()))
    student = ViT(s, layer_scale=True, classes=s["classes"], swiglu=True)
    randomise(student, g)
    write_safetensors(OUT / "student_native_swiglu.safetensors", detached(student.named_weights()))
    golden["cases"]["native_swiglu_distill"] = run_case("native_swiglu_distill", "native", "distill", teacher_swiglu,
                                                        student.state_dict(), batches, labels, s, swiglu=True)
    with open(OUT / "golden.json", "w") as f:
        json.dump(golden, f, indent=1)
    print(f"wrote {OUT} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
