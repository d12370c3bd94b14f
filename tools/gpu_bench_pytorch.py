"""PyTorch peer for tools/gpu-check.sh: the reference model on CUDA, timed like our engine's rows.

    python3 tools/gpu_bench_pytorch.py DIR ARCHS BATCHES WARMUP ITERATIONS

DIR/<arch>/ holds what org.itaestudio.bench.DeviceBenchmark wrote: weights.safetensors, inputs.safetensors and
ours-embeddings.txt (our engine's CLS embeddings of all inputs on the GPU). Prints "AGREE ..." lines (max abs
difference between PyTorch on CUDA and our engine) and "ROW | model | batch | engine | ms median (min-max) | images/s |"
lines, or one "SKIP ..." line when torch has no CUDA. Timed forwards run under torch.inference_mode() with the
official batched attention, and end with torch.cuda.synchronize().
"""

import os
import statistics
import sys
import time
import types

NAMES = {"vits14": "ViT-S/14", "vitb14": "ViT-B/14", "vitl14": "ViT-L/14"}


def main():
    root, archs, batches, warmup, iterations = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    if not torch.cuda.is_available():
        print(f"SKIP torch {torch.__version__} has no CUDA here")
        return
    from bench_pytorch import load_model, make_embedder, official_attention_forward
    from checkpoint_formats import read_safetensors
    device = torch.device("cuda")
    engine = f"PyTorch eager (torch {torch.__version__}, {torch.cuda.get_device_name(0)})"
    for arch_name in archs.split(","):
        d = os.path.join(root, arch_name)
        arch, model, _ = load_model(os.path.join(d, "weights.safetensors"))
        for block in model.blocks:
            block.attn.forward = types.MethodType(official_attention_forward, block.attn)
        pixels = read_safetensors(os.path.join(d, "inputs.safetensors"))[0]["pixels"].contiguous()
        embedder = make_embedder(model, arch, pixels.shape[2], pixels.shape[3]).to(device)
        pixels = pixels.to(device)
        with open(os.path.join(d, "ours-embeddings.txt")) as f:
            ours = torch.tensor([[float(v) for v in line.split()] for line in f if line.strip()])
        with torch.inference_mode():
            theirs = embedder(pixels).cpu()
        print(f"AGREE {NAMES.get(arch_name, arch_name)} pytorch cuda vs ours: max abs diff "
              f"{float((theirs - ours).abs().max()):.2e}")
        for batch in (int(b) for b in batches.split(",")):
            x = pixels[:batch].contiguous()
            times = []
            with torch.inference_mode():
                for i in range(warmup + iterations):
                    torch.cuda.synchronize()
                    t = time.perf_counter()
                    embedder(x).cpu()  # the embeddings on the host, as our engine returns them
                    torch.cuda.synchronize()
                    if i >= warmup:
                        times.append((time.perf_counter() - t) * 1000)
            med = statistics.median(times)
            print(f"ROW | {NAMES.get(arch_name, arch_name)} | {batch} | {engine} | {med:.1f} ({min(times):.1f}-"
                  f"{max(times):.1f}) | {batch * 1000 / med:.1f} |")


if __name__ == "__main__":
    main()
