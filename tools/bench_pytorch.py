"""PyTorch-eager peer for `itae-studio bench`, and the ONNX export for the ONNX Runtime peer.

    /usr/bin/python3 tools/bench_pytorch.py --weights W.safetensors --inputs X.safetensors --threads 2 \
        [--onnx model.onnx] [--height 224 --width 224]

Loads the benchmark weights (official DINOv2 tensor names, float32 safetensors written by the Java
`SafetensorsWriter`) into the independent reference model (tools/dinov2_reference.py) and serves the engine-worker
protocol that the Java benchmark speaks to every engine (one JSON object per line; replies are stdout lines that
start with "@@ ", everything else is log):

    start-up reply            {"ready": true, "engine": "pytorch", "version": ..., "threads": n, ...checks}
    {"cmd": "embed", "batch": b}              -> {"embeddings": [[...], ...]}   CLS after the final LayerNorm
    {"cmd": "run", "batch": b, "iterations": k} -> {"times_ms": [...], "cpu_ms": [...], "peak_rss_mb": m}
    {"cmd": "quit"}

Timed forwards run under torch.inference_mode() with the official facebookresearch/dinov2 `Attention.forward`
(batched softmax, no ITAE). The reference's own attention loops over images so that ITAE decisions stay
per image; with ITAE off both compute the same thing, and the start-up reply reports their max abs difference
(`reference_vs_official_attention`). Thread counts: torch.set_num_threads(n); the BLAS under Debian's torch is
OpenBLAS, whose own pool is set through OPENBLAS_NUM_THREADS/OMP_NUM_THREADS before torch is imported.

With --onnx the same model is exported to ONNX (opset 17, the newest torch 1.13 supports; dynamic batch axis;
input `pixels` [B, 3, H, W], output `embedding` [B, D]). The position embedding is interpolated once for H x W
and stored as a constant, so the ONNX graph is specific to that input size. onnxruntime for Python is not
installed on the build machines, so the ONNX model is checked against this reference by the Java benchmark,
which runs it in ONNX Runtime for Java (max abs diff printed in the report).
"""

import argparse
import json
import os
import sys
import time
import types


def _set_thread_env(threads):
    # Must happen before torch (and its OpenBLAS/OpenMP) is loaded.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def _reply(obj):
    sys.stdout.write("@@ " + json.dumps(obj) + "\n")
    sys.stdout.flush()


def _log(msg):
    sys.stderr.write("[bench_pytorch] " + msg + "\n")
    sys.stderr.flush()


def reset_peak_rss():
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS (kernel 4.0+). Returns True if it worked."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return -1


def official_attention_forward(self, x, prefix=None, itae=None, probe=None, keep_attention=False):
    """facebookresearch/dinov2 dinov2/layers/attention.py Attention.forward (no ITAE, no probes)."""
    if itae is not None or probe is not None:
        raise ValueError("the benchmark attention has no ITAE or probes")
    B, N, C = x.shape
    qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
    attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
    x = (attn @ v).transpose(1, 2).reshape(B, N, C)
    return self.proj(x)


def load_model(weights_path):
    import torch
    from checkpoint_formats import hf_to_official, read_safetensors
    from dinov2_reference import Arch, build_model
    tensors, dtypes, metadata = read_safetensors(weights_path)
    sd = tensors if "cls_token" in tensors else hf_to_official(tensors)
    dim = sd["cls_token"].shape[-1]
    depth = 1 + max(int(k.split(".")[1]) for k in sd if k.startswith("blocks."))
    registers = sd["register_tokens"].shape[1] if "register_tokens" in sd else 0
    ffn = "swiglu" if "blocks.0.mlp.w12.weight" in sd else "mlp"
    heads = int(metadata.get("num_heads", dim // 64))
    grid = int(round((sd["pos_embed"].shape[1] - 1) ** 0.5))
    if registers:
        arch = Arch(dim, depth, heads, registers, ffn, pos_grid=grid, interpolate_offset=0.0, interpolate_antialias=True)
    else:
        arch = Arch(dim, depth, heads, 0, ffn, pos_grid=grid, interpolate_offset=0.1, interpolate_antialias=False)
    torch.set_grad_enabled(False)
    return arch, build_model(arch, sd), metadata


def make_embedder(model, arch, height, width):
    """The model as one traceable function pixels [B,3,H,W] -> CLS embedding [B,D] for a fixed H x W."""
    import torch
    from dinov2_reference import interpolate_pos_encoding

    class Embedder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model
            self.register_buffer("pos", interpolate_pos_encoding(model.pos_embed, height, width, arch).detach().clone())

        def forward(self, pixels):
            m = self.model
            b = pixels.shape[0]
            x = m.patch_embed(pixels)
            x = torch.cat((m.cls_token.expand(b, -1, -1), x), dim=1) + self.pos
            if m.register_tokens is not None:
                x = torch.cat((x[:, :1], m.register_tokens.expand(b, -1, -1), x[:, 1:]), dim=1)
            prefix = 1 + arch.registers
            for block in m.blocks:
                x = block(x, prefix)
            return m.norm(x)[:, 0]

    return Embedder().eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--inputs", required=True, help="safetensors with tensor 'pixels' [B, 3, H, W]")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--onnx", help="also export the model to this ONNX file")
    a = ap.parse_args()

    _set_thread_env(a.threads)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    from checkpoint_formats import read_safetensors
    torch.set_num_threads(a.threads)

    t0 = time.perf_counter()
    arch, model, _ = load_model(a.weights)
    pixels = read_safetensors(a.inputs)[0]["pixels"].contiguous()
    height, width = pixels.shape[2], pixels.shape[3]
    load_ms = (time.perf_counter() - t0) * 1000

    # The reference's per-image attention, then the official batched one: both must give the same embeddings.
    with torch.inference_mode():
        reference_cls = model(pixels).cls
    for block in model.blocks:
        block.attn.forward = types.MethodType(official_attention_forward, block.attn)
    embedder = make_embedder(model, arch, height, width)
    with torch.inference_mode():
        official_cls = model(pixels).cls
        embedder_cls = embedder(pixels)
    ready = {
        "ready": True, "engine": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
        "load_ms": load_ms, "blas": "OpenBLAS" if _uses_openblas() else "other",
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "reference_vs_official_attention": float((reference_cls - official_cls).abs().max()),
        "embedder_vs_model": float((embedder_cls - official_cls).abs().max()),
    }
    if a.onnx:
        t1 = time.perf_counter()
        torch.onnx.export(embedder, pixels[:1], a.onnx, opset_version=17, input_names=["pixels"],
                          output_names=["embedding"],
                          dynamic_axes={"pixels": {0: "batch"}, "embedding": {0: "batch"}},
                          do_constant_folding=True)
        ready["onnx"] = a.onnx
        ready["onnx_opset"] = 17
        ready["onnx_export_ms"] = (time.perf_counter() - t1) * 1000
    _reply(ready)

    forward = embedder  # the timed path: official attention, cached position embedding like the Java engine
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        batch = int(cmd["batch"])
        if batch > pixels.shape[0]:
            _reply({"error": f"batch {batch} > {pixels.shape[0]} input images"})
            continue
        x = pixels[:batch].contiguous()
        if cmd["cmd"] == "embed":
            with torch.inference_mode():
                _reply({"embeddings": forward(x).tolist()})
        elif cmd["cmd"] == "run":
            reset_peak_rss()
            times, cpu = [], []
            with torch.inference_mode():
                for _ in range(int(cmd["iterations"])):
                    c = time.process_time()
                    t = time.perf_counter()
                    forward(x)
                    times.append((time.perf_counter() - t) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
            _reply({"times_ms": times, "cpu_ms": cpu, "peak_rss_mb": peak_rss_mb()})
        else:
            _reply({"error": "unknown command " + cmd["cmd"]})


def _uses_openblas():
    try:
        with open("/proc/self/maps") as f:
            return "openblas" in f.read()
    except OSError:
        return False


if __name__ == "__main__":
    main()
