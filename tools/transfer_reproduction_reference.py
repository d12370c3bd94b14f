#!/usr/bin/python3
"""The attention-transfer reproduction's full schedule (teacher 30 epochs, students 15) in the PyTorch reference, on a
GPU, with several seeds: a cross-check of what the Java runs in docs/benchmarks.md show on a shortened schedule.

Same recipe as the Java `transfer` runs there: CIFAR-10's test split (10,000 images) split 8,000 / 2,000, stratified
and seeded; 32 px, patch 4, dim 192, depth 6, 3 heads, DINOv2 blocks (LayerScale, init 0.1) for the teacher and the
native students, a plain pre-norm block for the standard student; batch 64, AdamW lr 1e-3 (betas 0.9/0.999, weight
decay 0.05 off for norms, biases, LayerScale, tokens and position embedding), cosine decay to 0 per step, no warm-up,
global-norm clipping at 1; augmentation: random resized crop (scale 0.35-1, ratio 3/4-4/3, bicubic) and a horizontal
flip, then ImageNet's mean and std; init: truncated normal (std 0.02, cut at 2 std) for weights, tokens and position
embedding, zero biases, unit norm gains. Transferred blocks 0-2 (every block but the last 3), lambda = 3.
The model and losses are tools/attention_transfer_reference.py's (the reference the Java core matches to 1e-4).
What differs from the Java runs: the split's and the batches' random draws (numpy/torch generators, not Java's), and
the crop's resampling (grid_sample's bicubic on the GPU, not the project's decoder), so this is the same experiment
with other random draws, not the same run.

  # here, once: pack the images (Debian's python3-pil)
  /usr/bin/python3 tools/transfer_reproduction_reference.py pack ../shared/data/cifar10-test .gpu/cifar10-test.npz
  # on a machine with a CUDA GPU: teacher, then the four students for each seed, in parallel processes
  python3 tools/transfer_reproduction_reference.py run .gpu/cifar10-test.npz OUT_DIR --seeds 0,1,2
Prints one JSON summary (val top-1 per run and epoch, seconds, images/s) and writes it to OUT_DIR/summary.json.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
SETTINGS = dict(image=32, patch=4, dim=192, depth=6, heads=3, mlp_ratio=4, classes=10, layer_norm_eps=1e-6,
                lr=1e-3, min_lr=0.0, warmup_steps=0, weight_decay=0.05, betas=(0.9, 0.999), eps=1e-8,
                clip_grad=1.0, atd_weight=3.0, keep_last=3, batch=64, val_fraction=0.2, split_seed=0,
                layer_scale_init=0.1, scale=(0.35, 1.0), ratio=(3 / 4, 4 / 3))
STUDENTS = [("native", "scratch"), ("native", "copy"), ("native", "distill"), ("standard", "copy")]


def pack(folder, out):
    """Class sub-folders of images -> one .npz of their encoded bytes (smaller than pixels, so it travels to a GPU
    machine), in sorted path order, with labels and class names."""
    classes = sorted(p.name for p in Path(folder).iterdir() if p.is_dir())
    encoded, labels = [], []
    for c, name in enumerate(classes):
        for f in sorted((Path(folder) / name).iterdir()):
            encoded.append(f.read_bytes())
            labels.append(c)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    offsets = np.cumsum([0] + [len(e) for e in encoded])
    np.savez(out, encoded=np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets=offsets,
             labels=np.array(labels, dtype=np.int64), classes=np.array(classes))
    print(f"{len(encoded)} images, {len(classes)} classes -> {out}")


def decode(packed, out):
    """pack's file -> images uint8 [N, S, S, 3] and labels, decoded once (PIL), as an .npz the runs read."""
    import io
    from PIL import Image
    z = np.load(packed)
    buf, off = z["encoded"].tobytes(), z["offsets"]
    images = np.stack([np.asarray(Image.open(io.BytesIO(buf[off[i]:off[i + 1]])).convert("RGB"), dtype=np.uint8)
                       for i in range(len(off) - 1)])
    np.savez(out, images=images, labels=z["labels"], classes=z["classes"])


def stratified_split(labels, fraction, seed):
    """Per class, a seeded shuffle; the first round(fraction * n) go to validation."""
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        k = int(round(fraction * len(idx)))
        val.extend(idx[:k])
        train.extend(idx[k:])
    return np.array(sorted(train)), np.array(sorted(val))


def init_weights(model, generator, layer_scale_init):
    import torch
    with torch.no_grad():
        for name, p in model.named_weights().items():
            if name.endswith(".gamma"):
                p.fill_(layer_scale_init)
            elif name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                p.fill_(1.0)
            elif name.endswith(".bias"):
                p.zero_()
            else:
                z = torch.randn(p.shape, generator=generator)
                while True:                      # redraw beyond 2 std, as a truncated normal does
                    bad = z.abs() > 2
                    if not bad.any():
                        break
                    z[bad] = torch.randn(int(bad.sum()), generator=generator)
                p.copy_(0.02 * z)


def augment(x, generator):
    """x: [B, 3, S, S] float in [0, 1] on the GPU -> random resized crop (bicubic) + flip, same size."""
    import torch
    import torch.nn.functional as F
    b, s = x.shape[0], x.shape[-1]
    dev = x.device
    lo, hi = SETTINGS["scale"]
    area = torch.empty(b, device=dev).uniform_(lo, hi, generator=generator)
    log_r = torch.empty(b, device=dev).uniform_(math.log(SETTINGS["ratio"][0]), math.log(SETTINGS["ratio"][1]),
                                                generator=generator)
    r = torch.exp(log_r)
    w = torch.sqrt(area * r).clamp(max=1.0)      # crop width and height as fractions of the side
    h = torch.sqrt(area / r).clamp(max=1.0)
    cx = (torch.rand(b, device=dev, generator=generator) * (1 - w) + w / 2) * 2 - 1
    cy = (torch.rand(b, device=dev, generator=generator) * (1 - h) + h / 2) * 2 - 1
    flip = torch.where(torch.rand(b, device=dev, generator=generator) < 0.5, -1.0, 1.0)
    theta = torch.zeros(b, 2, 3, device=dev)
    theta[:, 0, 0] = w * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = h
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, (b, 3, s, s), align_corners=False)
    return F.grid_sample(x, grid, mode="bicubic", padding_mode="border", align_corners=False).clamp(0, 1)


def normalise(x):
    import torch
    mean = torch.tensor(MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=x.device).view(1, 3, 1, 1)
    return (x - mean) / std


def train(data, out, role, arch, mode, epochs, seed, teacher_path, device):
    """One run; writes out/<role>.json (val top-1 per epoch, timings) and, for the teacher, teacher.pt."""
    import torch
    import torch.nn.functional as F
    from attention_transfer_reference import ViT, attention_loss, optimiser
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 throughout, as the Java runs
    torch.backends.cudnn.allow_tf32 = False
    s = SETTINGS
    z = np.load(data)
    images, labels = z["images"], z["labels"]
    train_idx, val_idx = stratified_split(labels, s["val_fraction"], s["split_seed"])
    if os.environ.get("SMOKE_IMAGES"):            # a quick check of the script itself, not a result
        n = int(os.environ["SMOKE_IMAGES"])
        train_idx, val_idx = train_idx[::len(train_idx) // n][:n], val_idx[::len(val_idx) // (n // 4)][:n // 4]
    to_dev = lambda a: torch.from_numpy(a).to(device)
    x_train = to_dev(images[train_idx]).permute(0, 3, 1, 2).float().div(255)
    y_train = to_dev(labels[train_idx])
    x_val = normalise(to_dev(images[val_idx]).permute(0, 3, 1, 2).float().div(255))
    y_val = to_dev(labels[val_idx])

    g = torch.Generator().manual_seed(seed)
    student = ViT(s, layer_scale=(arch == "native"), classes=s["classes"])
    init_weights(student, g, s["layer_scale_init"])
    student.to(device)
    teacher = None
    if mode != "scratch":
        teacher = ViT(s, layer_scale=True, classes=s["classes"])
        teacher.load_state_dict(torch.load(teacher_path, map_location=device))
        teacher.to(device).eval()
    layers = list(range(s["depth"] - s["keep_last"]))
    opt = optimiser(student, s)
    params = list(student.named_weights().values())
    per_epoch = len(x_train) // s["batch"]         # the last partial batch dropped
    total = per_epoch * epochs
    dg = torch.Generator(device=device).manual_seed(seed)
    cg = torch.Generator().manual_seed(seed)

    def lr_at(step):
        t = step / total
        return s["min_lr"] + (s["lr"] - s["min_lr"]) * 0.5 * (1 + math.cos(math.pi * t))

    def evaluate():
        student.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(x_val), 500):
                xb = x_val[i:i + 500]
                given = None
                if mode == "copy":
                    _, t_scores = teacher(xb)
                    given = {l: t_scores[l].softmax(-1) for l in layers}
                logits, _ = student(xb, given)
                correct += int((logits.argmax(-1) == y_val[i:i + 500]).sum())
        student.train()
        return correct / len(x_val)

    record = dict(role=role, arch=arch, mode=mode, epochs=epochs, seed=seed, val_top1=[], train_top1=[],
                  attention_loss=[], epoch_seconds=[], images_per_s=[])
    step = 0
    for epoch in range(epochs):
        torch.cuda.synchronize(device) if device.startswith("cuda") else None
        start = time.perf_counter()
        order = torch.randperm(len(x_train), generator=cg).to(device)
        correct, att_sum = 0, 0.0
        for k in range(per_epoch):
            idx = order[k * s["batch"]:(k + 1) * s["batch"]]
            xb = normalise(augment(x_train[idx], dg))
            yb = y_train[idx]
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            t_scores = None
            if teacher is not None:
                with torch.no_grad():
                    _, t_scores = teacher(xb)
            given = {l: t_scores[l].softmax(-1) for l in layers} if mode == "copy" else None
            logits, s_scores = student(xb, given)
            loss = F.cross_entropy(logits, yb)
            if mode == "distill":
                att = sum(attention_loss(t_scores[l], s_scores[l]) for l in layers)
                loss = loss + s["atd_weight"] * att
                att_sum += float(att)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, s["clip_grad"])
            opt.step()
            correct += int((logits.argmax(-1) == yb).sum())
            step += 1
        torch.cuda.synchronize(device) if device.startswith("cuda") else None
        seconds = time.perf_counter() - start
        record["epoch_seconds"].append(round(seconds, 2))
        record["images_per_s"].append(round(per_epoch * s["batch"] / seconds, 1))
        record["train_top1"].append(round(correct / (per_epoch * s["batch"]), 4))
        record["attention_loss"].append(round(att_sum / per_epoch, 4) if mode == "distill" else None)
        record["val_top1"].append(round(evaluate(), 4))
        print(f"{role} epoch {epoch + 1}/{epochs}: val {record['val_top1'][-1]:.4f} train "
              f"{record['train_top1'][-1]:.4f} {seconds:.1f} s", file=sys.stderr, flush=True)
    if role == "teacher":
        torch.save(student.state_dict(), Path(out) / "teacher.pt")
    (Path(out) / f"{role}.json").write_text(json.dumps(record))
    return record


def run(data, out, seeds, teacher_epochs, student_epochs, device, parallel):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    me = str(Path(__file__).resolve())
    started = time.time()
    summary = {"settings": {k: v for k, v in SETTINGS.items()}, "device": device, "seeds": seeds,
               "teacher_epochs": teacher_epochs, "student_epochs": student_epochs}
    try:
        import torch
        summary["torch"] = torch.__version__
        summary["gpu"] = torch.cuda.get_device_name(0) if device.startswith("cuda") else None
    except Exception as e:  # noqa: BLE001 (reported, not fatal)
        summary["torch_error"] = str(e)
    decoded = out / "decoded.npz"
    if not decoded.exists():
        decode(data, decoded)
    data = str(decoded)
    if not (out / "teacher.json").exists():
        train(data, out, "teacher", "native", "scratch", teacher_epochs, 0, None, device)
    summary["teacher"] = json.loads((out / "teacher.json").read_text())
    jobs = [(arch, mode, seed) for seed in seeds for arch, mode in STUDENTS]
    running = []
    for arch, mode, seed in jobs:
        role = f"{arch}-{mode}-seed{seed}"
        if (out / f"{role}.json").exists():
            continue
        cmd = [sys.executable, me, "one", data, str(out), role, arch, mode, str(student_epochs), str(seed),
               str(out / "teacher.pt"), device]
        running.append(subprocess.Popen(cmd))
        while len(running) >= parallel:
            running = [p for p in running if p.poll() is None]
            time.sleep(0.5)
    for p in running:
        p.wait()
    summary["students"] = {}
    for arch, mode, seed in jobs:
        f = out / f"{arch}-{mode}-seed{seed}.json"
        summary["students"][f.stem] = json.loads(f.read_text()) if f.exists() else None
    finals = {}
    for arch, mode in STUDENTS:
        v = [summary["students"][f"{arch}-{mode}-seed{s}"]["val_top1"][-1] for s in seeds
             if summary["students"].get(f"{arch}-{mode}-seed{s}")]
        if v:
            finals[f"{arch}-{mode}"] = dict(final_val_top1=v, mean=round(float(np.mean(v)), 4),
                                            sd=round(float(np.std(v, ddof=1)), 4) if len(v) > 1 else None)
    summary["final"] = finals
    summary["wall_seconds"] = round(time.time() - started, 1)
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({"teacher_val": summary["teacher"]["val_top1"][-1], "final": finals,
                      "wall_seconds": summary["wall_seconds"]}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "one":      # one student, in its own process
        data, out, role, arch, mode, epochs, seed, teacher, device = sys.argv[2:11]
        train(data, out, role, arch, mode, int(epochs), int(seed), teacher, device)
        return
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    pk = sub.add_parser("pack")
    pk.add_argument("folder")
    pk.add_argument("out")
    r = sub.add_parser("run")
    r.add_argument("data")
    r.add_argument("out")
    r.add_argument("--seeds", default="0,1,2")
    r.add_argument("--teacher-epochs", type=int, default=30)
    r.add_argument("--student-epochs", type=int, default=15)
    r.add_argument("--device", default="cuda")
    r.add_argument("--parallel", type=int, default=int(os.environ.get("PARALLEL", "12")))
    a = p.parse_args()
    if a.command == "pack":
        pack(a.folder, a.out)
    else:
        run(a.data, a.out, [int(x) for x in a.seeds.split(",")], a.teacher_epochs, a.student_epochs, a.device,
            a.parallel)


if __name__ == "__main__":
    main()
