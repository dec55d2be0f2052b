#!/usr/bin/env python3
"""Peer timing for `chapters bench keras`: one training step of the 21.4.6 convnet in PyTorch on the
CPU with the engine's thread count. Prints one JSON object.

Model (the book's TensorFlow.js MNIST convnet in PyTorch's NCHW layout): Conv2d(1, 8, 5) -> ReLU ->
MaxPool2d(2, 2) -> Conv2d(8, 16, 5) -> ReLU -> MaxPool2d(2, 2) -> Flatten -> Linear(256, 10),
softmax cross-entropy on one-hot targets, Adam (lr 1e-3, eps 1e-7), float32, random 28x28 images.

  torch_step_ms  forward, loss, zero_grad, backward, Adam step; best of --repeat runs (each >= 0.2 s)
A missing PyTorch is reported as {"missing": "<why>"}. Run with Debian's /usr/bin/python3.
"""
import argparse
import json
import os

from peer_timing import best_of, import_torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    torch = import_torch(args.threads)
    if torch is None:
        return
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x = torch.rand(args.batch, 1, 28, 28)
    y = nn.functional.one_hot(torch.randint(0, 10, (args.batch,)), 10).float()

    def step():
        logits = model(x)
        loss = -(y * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    print(json.dumps({"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                      "torch_step_ms": best_of(step, args.repeat, min_seconds=0.2, warm_up_seconds=0.5) * 1e3}))


if __name__ == "__main__":
    main()
