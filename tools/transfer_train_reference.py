#!/usr/bin/python3
"""PyTorch training speed of the attention-transfer reproduction's student, on the batches the Java benchmark
(org.itaestudio.bench.TransferReproduction) wrote, for the images/s comparison in docs/benchmarks.md.

The model and losses are tools/attention_transfer_reference.py's (checked against the Java core to 1e-4 there):
a pre-norm ViT with LayerScale (native) or without (standard), a frozen teacher loaded from the teacher run's
student/model.safetensors, copy = the teacher's softmax(A) in the transferred blocks, distill = CE + lambda * attention
cross-entropy; torch.optim.AdamW with the same decay groups and global-norm clipping. Each mode: `--warmup` untimed
steps, then every batch of the file timed (teacher forward + student forward/backward + clipping + AdamW).

Run with Debian's interpreter (python3-torch):
  /usr/bin/python3 tools/transfer_train_reference.py --batches RUN/batches.safetensors \
      --teacher RUN/teacher/student/model.safetensors --threads 2
Prints one JSON object: images/s per mode, and process CPU seconds per image (MODE_cpu_s_per_image).
"""

import argparse
import json
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attention_transfer_reference import ViT, attention_loss, optimiser  # noqa: E402


def read_safetensors(path):
    """F32 tensors of a safetensors file by name."""
    raw = Path(path).read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        a, b = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype=np.float32).copy()) \
            .reshape(info["shape"])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batches", required=True)
    p.add_argument("--teacher", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--modes", default="scratch,copy,distill")
    p.add_argument("--dim", type=int, default=192)
    p.add_argument("--depth", type=int, default=6)
    p.add_argument("--heads", type=int, default=3)
    p.add_argument("--patch", type=int, default=4)
    p.add_argument("--image", type=int, default=32)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--clip-grad", type=float, default=0.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    s = dict(dim=a.dim, depth=a.depth, heads=a.heads, patch=a.patch, image=a.image, mlp_ratio=4,
             layer_norm_eps=1e-6, lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05, atd_weight=3.0)
    data = read_safetensors(a.batches)
    pixels, labels = data["pixels"], data["labels"].long()                   # [K, B, 3, S, S], [K, B]
    teacher = ViT(s, layer_scale=True, classes=0)
    weights = read_safetensors(a.teacher)
    with torch.no_grad():
        for name, t in teacher.named_weights().items():
            t.copy_(weights[name])
    teacher.eval()
    layers = list(range(a.depth - 3))
    result = {"threads": a.threads, "batches": int(pixels.shape[0]), "batch_size": int(pixels.shape[1]),
              "torch": torch.__version__}
    for mode in a.modes.split(","):
        torch.manual_seed(0)
        student = ViT(s, layer_scale=True, classes=a.classes)
        opt = optimiser(student, s)
        params = list(student.named_weights().values())

        def step(img, y):
            with torch.no_grad():
                _, t_scores = teacher(img) if mode != "scratch" else (None, None)
            given = {l: t_scores[l].softmax(-1) for l in layers} if mode == "copy" else None
            logits, s_scores = student(img, given)
            loss = F.cross_entropy(logits, y)
            if mode == "distill":
                loss = loss + s["atd_weight"] * sum(attention_loss(t_scores[l], s_scores[l]) for l in layers)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if a.clip_grad > 0:
                torch.nn.utils.clip_grad_norm_(params, a.clip_grad)
            opt.step()

        for k in range(min(a.warmup, pixels.shape[0])):
            step(pixels[k], labels[k])
        start = time.perf_counter()
        cpu = time.process_time()
        for k in range(pixels.shape[0]):
            step(pixels[k], labels[k])
        seconds = time.perf_counter() - start
        images = pixels.shape[0] * pixels.shape[1]
        result[mode] = images / seconds
        result[mode + "_cpu_s_per_image"] = (time.process_time() - cpu) / images
    print(json.dumps(result))


if __name__ == "__main__":
    main()
