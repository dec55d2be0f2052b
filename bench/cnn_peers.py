#!/usr/bin/env python3
"""Peer timings for `chapters bench cnn`: the 20.4.2 training step in PyTorch on the CPU, same threads.

Prints one JSON object on stdout. Model (as the engine's exercise 20.4.2): Conv2d(1, c1, 5, padding=2)
-> ReLU -> MaxPool2d(2) -> Conv2d(c1, c2, 5, padding=2) -> ReLU -> MaxPool2d(2) -> Flatten ->
Linear(c2*7*7, 10), float32, batch 64 of random 28x28 images and labels.

  torch_step_ms     forward, cross-entropy, zero_grad, backward, Adam step (lr 1e-3)
  torch_forward_ms  forward only under no_grad

Each timing is the best of --repeat runs (each run averages enough calls to last 0.2 s), the rule
the engine side uses. A missing PyTorch is reported as {"missing": "<why>"}.
Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import os
import time

from peer_timing import best_of




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--c1", type=int, default=16)
    ap.add_argument("--c2", type=int, default=32)
    args = ap.parse_args()
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the machine
        print(json.dumps({"missing": f"PyTorch not importable ({e}); install python3-torch"}))
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, args.c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(args.c1, args.c2, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(args.c2 * 7 * 7, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28)
    labels = torch.randint(0, 10, (args.batch,))

    def step():
        loss = nn.functional.cross_entropy(model(x), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    def forward():
        with torch.no_grad():
            return model(x)

    print(json.dumps({"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                      "mkldnn": torch.backends.mkldnn.is_available(),
                      "torch_step_ms": best_of(step, args.repeat, min_seconds=0.2) * 1e3,
                      "torch_forward_ms": best_of(forward, args.repeat, min_seconds=0.2) * 1e3}))


if __name__ == "__main__":
    main()
