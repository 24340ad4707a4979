"""PyTorch peer for bench/run.ts: the same workloads as convkit, one JSON line on stdout.

Usage: /usr/bin/python3 torch_bench.py --workload lenet|cifar|mobilenet|sgemm --threads N
       --sizes 32,128 [--policy JSON]
Timing follows bench/common.ts (warm-up, then timed steps until a budget; the median step).
Models are NCHW, PyTorch's native layout, with the shapes of convkit's Keras models."""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

DEFAULT_POLICY = {"warmupSteps": 2, "warmupBudget": 1, "minSteps": 3, "maxSteps": 2000,
                  "budget": 1.5, "coldLimit": 60, "skipOver": 120}


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def cifar_cnn():
    return nn.Sequential(
        nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))


def measure(step, p):
    now = time.perf_counter
    w0 = now()
    warmup = 0
    while True:
        t = now()
        step()
        last = (now() - t) * 1000
        warmup += 1
        if warmup == 1 and last > p["coldLimit"] * 1000:
            return [last], 0, True
        if warmup >= p["warmupSteps"] and now() - w0 >= p["warmupBudget"]:
            break
    samples = []
    t0 = now()
    while True:
        t = now()
        step()
        samples.append((now() - t) * 1000)
        el = now() - t0
        if len(samples) >= p["maxSteps"]:
            break
        if el >= p["budget"] and len(samples) >= p["minSteps"]:
            break
        if el >= 3 * p["budget"]:
            break
    return samples, warmup, False


def throughput(size, ms):
    return size / (ms / 1000)


KINDS = {
    "images/s": ("b", lambda s, p: s / p, throughput),
    "ms": ("b", lambda s, p: s / p, lambda size, ms: ms),
    "GFLOP/s": ("n", lambda s, p: (s / p) ** 3, lambda n, ms: 2 * n ** 3 / (ms / 1000) / 1e9),
}


def run_variants(sizes, policy, metric_of, setup):
    out = []
    prev = None
    for size in sizes:
        metric = metric_of(size)
        prefix, scale, figure = KINDS[metric]
        variant = f"{prefix}{size}"
        if prev is not None:
            est = prev[1] * scale(size, prev[0]) / 1000
            if est > policy["skipOver"]:
                out.append({"variant": variant, "size": size, "metric": metric, "status": "skipped",
                            "note": f"est. {est:.0f} s/step, over the {policy['skipOver']} s limit"})
                continue
        try:
            step = setup(size)
            samples, warmup, cold = measure(step, policy)
            med = statistics.median(samples)
            r = {"variant": variant, "size": size, "metric": metric, "status": "ok", "value": figure(size, med),
                 "medianStepMs": med, "steps": len(samples), "warmup": warmup}
            if cold:
                r["cold"] = True
            out.append(r)
            prev = (size, med)
        except Exception as e:  # a failing variant is reported, the others still run
            out.append({"variant": variant, "size": size, "metric": metric, "status": "error",
                        "note": str(e).split("\n")[0][:300]})
    return out


def train_setup(build, shape):
    def setup(batch):
        torch.manual_seed(0)
        model = build().train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        x = torch.rand(batch, *shape)
        y = torch.randint(0, 10, (batch,))

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        return step
    return setup


def mobilenet_setup():
    import torchvision
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(weights=None).eval()

    def setup(batch):
        x = torch.rand(batch, 3, 224, 224) * 2 - 1

        def step():
            with torch.inference_mode():
                model(x)
        return step
    return setup


def sgemm_setup(n):
    a = torch.rand(n, n) * 2 - 1
    b = torch.rand(n, n) * 2 - 1
    return lambda: torch.mm(a, b)


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def blas_library():
    try:
        return os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True, choices=["lenet", "cifar", "mobilenet", "sgemm"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--policy", default="{}")
    a = ap.parse_args()
    policy = {**DEFAULT_POLICY, **json.loads(a.policy)}
    sizes = [int(s) for s in a.sizes.split(",") if s]
    torch.set_num_threads(a.threads)
    w = a.workload
    if w == "lenet":
        results = run_variants(sizes, policy, lambda s: "images/s", train_setup(lenet5, (1, 28, 28)))
    elif w == "cifar":
        results = run_variants(sizes, policy, lambda s: "images/s", train_setup(cifar_cnn, (3, 32, 32)))
    elif w == "mobilenet":
        results = run_variants(sizes, policy, lambda s: "ms" if s == 1 else "images/s", mobilenet_setup())
    else:
        results = run_variants(sizes, policy, lambda s: "GFLOP/s", sgemm_setup)
    info = {"version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_library()}
    sys.stdout.write("\n" + json.dumps({"framework": "torch", "workload": w, "threads": a.threads, "info": info,
                                        "results": results, "peakRssMB": peak_rss_mb()}) + "\n")


if __name__ == "__main__":
    main()
