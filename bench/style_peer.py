#!/usr/bin/env python3
"""Peer timing for `chapters bench style`: one evaluation of the 23.3 style-transfer loss and its gradient
with respect to the pixels, in PyTorch on the CPU with the engine's thread count.

--file is the safetensors file the engine wrote (out/bench-style.safetensors): the ResNet18 weights under
their ONNX initializer names, the preprocessed images "__content__" and "__style__" [1, 3, H, W], and in
its metadata the graph (nodes in order: Conv, BatchNormalization, Relu, MaxPool, Add, ... with their
attributes) and the loss settings. The graph is run with torch.nn.functional, ONNX semantics: auto_pad
SAME_UPPER/LOWER and asymmetric pads by F.pad, batch norm in eval mode.

Loss (Chollet 8.3, as the engine): content_weight * sum((f_c - f_x)^2) at the content layer
+ sum over style layers of style_weight/5 * sum((G_s - G_x)^2) / (4 * 3^2 * (H*W)^2)
+ tv_weight * sum(((x[:-1,:-1] - x[1:,:-1])^2 + (x[:-1,:-1] - x[:-1,1:])^2)^1.25), evaluated at x = content.

Prints {"torch_eval_ms": best of --repeat after one warm-up, "loss": value, "torch": version}, or
{"missing": why}. Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import os
import struct
import time

import numpy as np

from peer_timing import import_torch


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    kinds = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}
    tensors = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        tensors[name] = np.frombuffer(data[a:b], dtype=kinds[h["dtype"]]).reshape(h["shape"])
    return tensors, meta


def same_pad(n, k, s, upper):
    o = (n + s - 1) // s
    total = max(0, (o - 1) * s + k - n)
    small, big = total // 2, total - total // 2
    return (small, big) if upper else (big, small)


def pads_of(attrs, h, w, kh, kw, sh, sw):
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        t, b = same_pad(h, kh, sh, auto == "SAME_UPPER")
        l, r = same_pad(w, kw, sw, auto == "SAME_UPPER")
        return t, l, b, r
    if auto == "VALID":
        return 0, 0, 0, 0
    p = attrs.get("pads", [0, 0, 0, 0])
    return p[0], p[1], p[2], p[3]


def run_graph(torch, F, graph, W, x, wanted):
    values = {graph["input"]: x}
    left = set(wanted)
    for node in graph["nodes"]:
        op, a = node["op"], node["attrs"]
        args = [values[i] if i in values else W.get(i) for i in node["inputs"]]
        if op == "Conv":
            wt = args[1]
            sh, sw = a.get("strides", [1, 1])
            t, l, b, r = pads_of(a, args[0].shape[2], args[0].shape[3], wt.shape[2], wt.shape[3], sh, sw)
            inp = F.pad(args[0], (l, r, t, b))
            y = F.conv2d(inp, wt, args[2] if len(args) > 2 else None, stride=(sh, sw),
                         dilation=tuple(a.get("dilations", [1, 1])), groups=a.get("group", 1))
        elif op == "BatchNormalization":
            y = F.batch_norm(args[0], args[3], args[4], args[1], args[2], training=False, eps=a.get("epsilon", 1e-5))
        elif op == "Relu":
            y = F.relu(args[0])
        elif op == "Add":
            y = args[0] + args[1]
        elif op == "MaxPool":
            kh, kw = a["kernel_shape"]
            sh, sw = a.get("strides", [1, 1])
            t, l, b, r = pads_of(a, args[0].shape[2], args[0].shape[3], kh, kw, sh, sw)
            inp = F.pad(args[0], (l, r, t, b), value=float("-inf"))
            y = F.max_pool2d(inp, (kh, kw), (sh, sw), ceil_mode=bool(a.get("ceil_mode", 0)))
        else:
            break  # past the last layer the loss needs (the pooling head)
        values[node["outputs"][0]] = y
        left.discard(node["outputs"][0])
        if not left:
            break
    return [values[n] for n in wanted]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--file", required=True)
    args = ap.parse_args()
    torch = import_torch(args.threads)
    if torch is None:
        return
    import torch.nn.functional as F
    arrays, meta = load_safetensors(args.file)
    graph, s = json.loads(meta["graph"]), json.loads(meta["settings"])
    W = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    content, style = W.pop("__content__"), W.pop("__style__")
    h, w = content.shape[2], content.shape[3]
    layers = [s["content_layer"]] + s["style_layers"]

    def gram(f):
        f = f.reshape(f.shape[1], -1)
        return f @ f.t()

    with torch.no_grad():
        fc = run_graph(torch, F, graph, W, content, layers)[0]
        gs = [gram(f) for f in run_graph(torch, F, graph, W, style, layers)[1:]]

    def evaluate():
        x = content.clone().requires_grad_(True)
        feats = run_graph(torch, F, graph, W, x, layers)
        loss = s["content_weight"] * torch.sum((feats[0] - fc) ** 2)
        for g, f in zip(gs, feats[1:]):
            loss = loss + s["style_weight"] / len(gs) * torch.sum((g - gram(f)) ** 2) / (4.0 * 9 * (h * w) ** 2)
        a = (x[..., :h - 1, :w - 1] - x[..., 1:, :w - 1]) ** 2
        b = (x[..., :h - 1, :w - 1] - x[..., :h - 1, 1:]) ** 2
        loss = loss + s["tv_weight"] * torch.sum((a + b) ** 1.25)
        loss.backward()
        return loss.item()

    value = evaluate()
    best = float("inf")
    for _ in range(args.repeat):
        t = time.perf_counter()
        evaluate()
        best = min(best, (time.perf_counter() - t) * 1e3)
    print(json.dumps({"torch_eval_ms": best, "loss": value, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
