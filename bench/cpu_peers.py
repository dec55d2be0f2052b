#!/usr/bin/env python3
"""Peer timings for `chapters bench cpu`: NumPy and PyTorch on the same CPU, same thread count.

Prints one JSON object on stdout. Each timing is the best of --repeat runs (each run averages
enough calls to last a few milliseconds), the same rule the engine side uses.

  sgemm      NumPy float32 matmul of two random n×n matrices, GFLOP/s (2·n³ flops per call)
  numpy_step DLfS TwoLayerNet 784-50-10 (Affine-ReLU-Affine-SoftmaxWithLoss), batch 100:
             forward, backward (no gradient for the input x), SGD update (lr 0.1), milliseconds per step
  torch_step the same step in PyTorch: tensors with requires_grad, autograd backward, SGD update

A missing peer is reported as {"missing": "<why>"} instead of a number.
Run it with Debian's /usr/bin/python3 (python3-numpy, python3-torch, libopenblas0-pthread).
"""
import argparse
import json
import os
import sys
import time

from peer_timing import best_of, blas_info, write_products




def numpy_benchmarks(np, sizes, rng):
    """name -> (fn, seconds -> reported number): sgemm<n> in GFLOP/s, numpy_step in ms."""
    benches = {}
    for n in sizes:
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        benches[f"sgemm{n}"] = ((lambda a=a, b=b: np.matmul(a, b)), (lambda sec, n=n: 2.0 * n ** 3 / sec / 1e9))

    # DLfS ch5 TwoLayerNet, float32 like the engine's default.
    batch, nin, hid, nout, lr = 100, 784, 50, 10, np.float32(0.1)
    W1 = (0.01 * rng.standard_normal((nin, hid))).astype(np.float32)
    b1 = np.zeros(hid, np.float32)
    W2 = (0.01 * rng.standard_normal((hid, nout))).astype(np.float32)
    b2 = np.zeros(nout, np.float32)
    x = rng.random((batch, nin), dtype=np.float32)
    t = np.eye(nout, dtype=np.float32)[rng.integers(0, nout, batch)]

    def step():
        nonlocal W1, b1, W2, b2
        # forward: Affine1, Relu1, Affine2, SoftmaxWithLoss
        a1 = x @ W1 + b1
        mask = a1 <= 0
        z1 = a1.copy()
        z1[mask] = 0
        a2 = z1 @ W2 + b2
        a2 = a2 - a2.max(axis=1, keepdims=True)
        y = np.exp(a2)
        y /= y.sum(axis=1, keepdims=True)
        loss = -np.sum(t * np.log(y + 1e-7)) / batch
        # backward
        dout = (y - t) / batch
        dW2 = z1.T @ dout
        db2 = dout.sum(axis=0)
        dz1 = dout @ W2.T
        dz1[mask] = 0
        dW1 = x.T @ dz1
        db1 = dz1.sum(axis=0)
        # no dx = dz1 @ W1.T: nothing reads the input's gradient (the engine's net.Gradient and PyTorch skip it too)
        # SGD
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
        return loss

    benches["numpy_step"] = (step, lambda sec: sec * 1e3)
    return benches


def numpy_part(np, sizes, repeat, rng):
    out = {"numpy": np.__version__, "blas": blas_info(), "sgemm": {}}
    for name, (fn, report) in numpy_benchmarks(np, sizes, rng).items():
        value = report(best_of(fn, repeat, warm_up_seconds=0.5))
        if name.startswith("sgemm"):
            out["sgemm"][name[len("sgemm"):]] = value
        else:
            out[name + "_ms"] = value
    return out


def torch_benchmarks(threads):
    """{"torch_step": (fn, seconds -> ms)} and the version facts, or {"missing": why}."""
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the machine
        return {"missing": f"PyTorch not importable ({e}); install python3-torch"}
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batch, nin, hid, nout, lr = 100, 784, 50, 10, 0.1
    W1 = (0.01 * torch.randn(nin, hid)).requires_grad_()
    b1 = torch.zeros(hid, requires_grad=True)
    W2 = (0.01 * torch.randn(hid, nout)).requires_grad_()
    b2 = torch.zeros(nout, requires_grad=True)
    x = torch.rand(batch, nin)
    labels = torch.randint(0, nout, (batch,))
    params = [W1, b1, W2, b2]

    def step():
        loss = torch.nn.functional.cross_entropy(torch.relu(x @ W1 + b1) @ W2 + b2, labels)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(lr * p.grad)
        return loss

    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads(), "torch_step": (step, lambda sec: sec * 1e3)}


def torch_part(threads, repeat):
    out = torch_benchmarks(threads)
    if "torch_step" in out:
        fn, report = out.pop("torch_step")
        out["torch_step_ms"] = report(best_of(fn, repeat, warm_up_seconds=0.5))
    return out


def serve(np, sizes, threads):
    """--serve: prints one JSON line of facts (versions, BLAS, what is missing), then for each line
    "<name> <repeat>" on stdin times that benchmark (best of repeat runs after 0.5 s of warm-up) and
    prints {"value": number}, or {"error": why} for an unknown name. Ends at end of input."""
    facts = {"python": sys.version.split()[0], "threads": threads}
    benches = {}
    if np is None:
        facts["numpy_missing"] = "NumPy not importable; install python3-numpy libopenblas0-pthread"
    else:
        facts.update({"numpy": np.__version__, "blas": blas_info()})
        benches.update(numpy_benchmarks(np, sizes, np.random.default_rng(0)))
    t = torch_benchmarks(threads)
    if "torch_step" in t:
        benches["torch_step"] = t.pop("torch_step")
    facts.update(t)
    facts["benchmarks"] = sorted(benches)
    print(json.dumps(facts), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 2 or parts[0] not in benches or not parts[1].isdigit():
            print(json.dumps({"error": f"expected '<benchmark> <repeat>' with a benchmark of {sorted(benches)}, got {line.strip()!r}"}), flush=True)
            continue
        fn, report = benches[parts[0]]
        print(json.dumps({"value": report(best_of(fn, int(parts[1]), warm_up_seconds=0.5))}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sizes", default="256,1024")
    ap.add_argument("--check-dir", help="product check: write c<n>.numpy.f32 = a<n>·b<n> from the engine's operands there")
    ap.add_argument("--check-only", action="store_true", help="only the product check and the BLAS report, no timings")
    ap.add_argument("--serve", action="store_true", help="time benchmarks one at a time as stdin names them (see serve)")
    args = ap.parse_args()
    if args.serve:
        try:
            import numpy as np
        except ImportError:
            np = None
        serve(np, [int(s) for s in args.sizes.split(",")], args.threads)
        return
    result = {"python": sys.version.split()[0], "threads": args.threads,
              "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}}
    try:
        import numpy as np
    except ImportError as e:
        result["numpy_missing"] = f"NumPy not importable ({e}); install python3-numpy libopenblas0-pthread"
    else:
        sizes = [int(s) for s in args.sizes.split(",")]
        if args.check_dir:
            def matmul(a, b, n):
                return (np.frombuffer(a, np.float32).reshape(n, n) @ np.frombuffer(b, np.float32).reshape(n, n)).tobytes()
            write_products(args.check_dir, sizes, matmul, "numpy")
            result["checked"] = sizes
        if args.check_only:
            result.update({"numpy": np.__version__, "blas": blas_info()})
        else:
            result.update(numpy_part(np, sizes, args.repeat, np.random.default_rng(0)))
    if not args.check_only:
        result.update(torch_part(args.threads, args.repeat))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
