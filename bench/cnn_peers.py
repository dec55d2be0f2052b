#!/usr/bin/env python3
"""Peer timings for `chapters bench cnn`: the 20.4.2 training step in PyTorch on the CPU, same threads
(or, with --device cuda, on the GPU with cuDNN for `chapters bench cnn --device cuda`).

Prints one JSON object on stdout. Model (as the engine's exercise 20.4.2): Conv2d(1, c1, 5, padding=2)
-> ReLU -> MaxPool2d(2) -> Conv2d(c1, c2, 5, padding=2) -> ReLU -> MaxPool2d(2) -> Flatten ->
Linear(c2*7*7, 10), float32, batch 64 of random 28x28 images and labels.

  torch_step_ms     forward, cross-entropy, zero_grad, backward, Adam step (lr 1e-3)
  torch_forward_ms  forward only under no_grad

Each timing is the best of --repeat runs (each run averages enough calls to last 0.2 s), the rule
the engine side uses. A missing PyTorch is reported as {"missing": "<why>"}.
Run it with Debian's /usr/bin/python3 (python3-torch).

--device cuda: model and one fixed batch on the GPU, TF32 off (matmul and cuDNN), cudnn.benchmark left
at its default (False); the step also reads the loss back (loss.item(), as the engine's step does),
so every step ends synchronised. Timings: 20 warm-up steps, then the best of --repeat runs of --steps
steps, each run closed by torch.cuda.synchronize(). Adds "device", "cudnn", "cudnn_benchmark".
"""
import argparse
import json
import os
import time

from peer_timing import best_of, blas_info, write_products, import_torch




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--c1", type=int, default=16)
    ap.add_argument("--c2", type=int, default=32)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU with cuDNN")
    ap.add_argument("--steps", type=int, default=200, help="timed steps per run (cuda)")
    ap.add_argument("--check-dir", help="product check: write c<n>.torch.f32 = a<n>·b<n> (torch.mm on the CPU) from the engine's operands there")
    ap.add_argument("--check-sizes", default="256,1024")
    ap.add_argument("--check-only", action="store_true", help="only the product check and the BLAS report, no timings")
    args = ap.parse_args()
    torch = import_torch(args.threads)
    if torch is None:
        return
    checked = {}
    if args.check_dir:
        def matmul(a, b, n):
            ta = torch.frombuffer(bytearray(a), dtype=torch.float32).reshape(n, n)
            tb = torch.frombuffer(bytearray(b), dtype=torch.float32).reshape(n, n)
            return (ta @ tb).numpy().tobytes()
        sizes = [int(s) for s in args.check_sizes.split(",")]
        write_products(args.check_dir, sizes, matmul, "torch")
        checked = {"checked": sizes}
    if args.check_only:
        print(json.dumps({"torch": torch.__version__, "torch_threads": torch.get_num_threads(), "blas": blas_info(), **checked}))
        return
    if args.device.startswith("cuda"):
        if not torch.cuda.is_available():
            print(json.dumps({"missing": f"torch {torch.__version__} sees no CUDA device"}))
            return
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    dev = torch.device(args.device)
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, args.c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(args.c1, args.c2, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(args.c2 * 7 * 7, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28).to(dev)
    labels = torch.randint(0, 10, (args.batch,)).to(dev)

    def step():
        loss = nn.functional.cross_entropy(model(x), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    def forward():
        with torch.no_grad():
            return model(x)

    if dev.type == "cuda":
        def steps_ms(fn):
            """Best ms per call: 20 warm-up calls, then --repeat runs of --steps calls, each synchronised."""
            for _ in range(20):
                fn()
            torch.cuda.synchronize()
            best = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                for _ in range(args.steps):
                    fn()
                torch.cuda.synchronize()
                best = min(best, (time.perf_counter() - t0) / args.steps)
            return best * 1e3

        print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(dev),
                          "cudnn": torch.backends.cudnn.version(), "cudnn_benchmark": torch.backends.cudnn.benchmark,
                          "torch_step_ms": steps_ms(lambda: step().item()),
                          "torch_forward_ms": steps_ms(forward)}))
        return

    print(json.dumps({"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                      "mkldnn": torch.backends.mkldnn.is_available(), "blas": blas_info(),
                      "torch_step_ms": best_of(step, args.repeat, min_seconds=0.2) * 1e3,
                      "torch_forward_ms": best_of(forward, args.repeat, min_seconds=0.2) * 1e3}))


if __name__ == "__main__":
    main()
