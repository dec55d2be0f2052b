#!/usr/bin/env python3
"""PyTorch peer for `chapters bench resnet18`: the ImageNet ResNet18 of the engine's ONNX file, rebuilt in
PyTorch 1.13 from the graph the engine exports, run on the CPU with the engine's thread count.

--file is the safetensors file the engine wrote (out/bench-resnet18.safetensors): the model's weights under
their ONNX initializer names, for each batch size B the input "__xB__" [B, 3, 224, 224] and the engine's
output "__yB__" [B, 512, 1, 1], and in its metadata the graph (nodes in order with their attributes).

The network is built from that graph, not taken from torchvision: this CNTK export has [2, 2, 2, 3] basic
blocks (torchvision's resnet18 has [2, 2, 2, 2]) and no classifier. Each Conv becomes an nn.Conv2d, each
BatchNormalization an nn.BatchNorm2d (eval mode, not folded: eager PyTorch as a user runs it), Relu nn.ReLU,
MaxPool nn.MaxPool2d, AveragePool nn.AvgPool2d, Add a residual sum. ONNX pads [begin, end] that select the
same windows as a symmetric pad (end <= begin, same output size) become the layer's padding, as the engine
does; other pads an explicit F.pad first.

Prints {"torch": version, "network": summary, "batches": {"B": {"torch_ms": best of --repeat after one
warm-up, "rel_diff": max |y_torch - y_engine| / max |y_engine|}}}, or {"missing": why}.
Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import os
from collections import Counter

from peer_timing import best_of, import_torch
from style_peer import load_safetensors


def symmetric(n, span, stride, begin, end):
    """The pads (begin, end) read the same windows as (begin, begin) (the engine's OnnxOps.AsSymmetric)."""
    return end <= begin and n + begin + end >= span and (n + 2 * begin - span) // stride == (n + begin + end - span) // stride


def pool_size(n, span, stride, begin, end):
    return (n + begin + end - span) // stride + 1


def build(torch, graph, weights, input_shape):
    """An nn.Module that runs the graph's nodes in order; shapes are followed from input_shape to choose pads."""
    nn, F = torch.nn, torch.nn.functional

    class Padded(nn.Module):
        def __init__(self, layer, pads, value):
            super().__init__()
            self.layer, self.pads, self.value = layer, pads, value

        def forward(self, x):
            return self.layer(F.pad(x, self.pads, value=self.value))

    class GraphNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.steps = []  # (op, inputs, output, layer name or None)
            self.layers = nn.ModuleDict()
            shapes = {graph["input"]: list(input_shape[1:])}
            for i, node in enumerate(graph["nodes"]):
                op, a, ins, out = node["op"], node["attrs"], node["inputs"], node["outputs"][0]
                c, h, w = shapes[ins[0]]
                name = None
                if op in ("Conv", "MaxPool", "AveragePool"):
                    if a.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID") or a.get("ceil_mode", 0):
                        raise NotImplementedError(f"{op} with {a}")
                    k = list(weights[ins[1]].shape[2:]) if op == "Conv" else a["kernel_shape"]
                    s = a.get("strides", [1, 1])
                    d = a.get("dilations", [1, 1]) if op == "Conv" else [1, 1]
                    t, l, b, r = a.get("pads", [0, 0, 0, 0]) if a.get("auto_pad", "NOTSET") == "NOTSET" else [0, 0, 0, 0]
                    span = [(k[0] - 1) * d[0] + 1, (k[1] - 1) * d[1] + 1]
                    same = symmetric(h, span[0], s[0], t, b) and symmetric(w, span[1], s[1], l, r)
                    pad = (t, l) if same else (0, 0)
                    if op == "Conv":
                        wt = weights[ins[1]]
                        layer = nn.Conv2d(wt.shape[1] * a.get("group", 1), wt.shape[0], tuple(k), tuple(s), pad, tuple(d),
                                          a.get("group", 1), bias=len(ins) > 2 and ins[2] != "")
                        layer.weight.data.copy_(wt)
                        if layer.bias is not None:
                            layer.bias.data.copy_(weights[ins[2]])
                        c = wt.shape[0]
                    elif op == "MaxPool":
                        layer = nn.MaxPool2d(tuple(k), tuple(s), pad)
                    else:
                        layer = nn.AvgPool2d(tuple(k), tuple(s), pad, count_include_pad=bool(a.get("count_include_pad", 0)))
                    if not same:
                        layer = Padded(layer, (l, r, t, b), float("-inf") if op == "MaxPool" else 0.0)
                    h, w = pool_size(h, span[0], s[0], t, b), pool_size(w, span[1], s[1], l, r)
                elif op == "BatchNormalization":
                    layer = nn.BatchNorm2d(c, eps=a.get("epsilon", 1e-5))
                    for attr, j in (("weight", 1), ("bias", 2), ("running_mean", 3), ("running_var", 4)):
                        getattr(layer, attr).data.copy_(weights[ins[j]])
                elif op == "Relu":
                    layer = nn.ReLU()
                elif op == "Add":
                    layer = None
                elif op == "GlobalAveragePool":
                    layer, h, w = nn.AdaptiveAvgPool2d(1), 1, 1
                else:
                    raise NotImplementedError(f"operator {op}")
                if layer is not None:
                    name = f"{i}_{op}"
                    self.layers[name] = layer
                self.steps.append((op, ins, out, name))
                shapes[out] = [c, h, w]
            self.output = graph["output"]

        def forward(self, x):
            values = {graph["input"]: x}
            for op, ins, out, name in self.steps:
                values[out] = values[ins[0]] + values[ins[1]] if op == "Add" else self.layers[name](values[ins[0]])
            return values[self.output]

    return GraphNet().eval()


def summary(graph, weights):
    """What the graph is, read from it: residual blocks per stage (Adds by output channels), shortcut convs."""
    convs = [n for n in graph["nodes"] if n["op"] == "Conv"]
    producer = {n["outputs"][0]: n for n in graph["nodes"]}
    channels = {}
    for n in convs:
        channels[n["outputs"][0]] = weights[n["inputs"][1]].shape[0]
    per_stage = Counter()
    for n in graph["nodes"]:
        if n["op"] == "Add":
            src = n["inputs"][0]
            while src not in channels and src in producer:  # back through BN/Relu to the conv that set the width
                src = producer[src]["inputs"][0]
            if src in channels:
                per_stage[channels[src]] += 1
    projections = sum(1 for n in convs if weights[n["inputs"][1]].shape[2:] == (1, 1))
    stages = [per_stage[c] for c in sorted(per_stage)]
    return f"{len(convs)} convs: stem, basic blocks per stage {stages} ({', '.join(str(c) for c in sorted(per_stage))} channels), {projections} projection shortcuts"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=6)
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--file", required=True)
    args = ap.parse_args()
    torch = import_torch(args.threads)
    if torch is None:
        return
    arrays, meta = load_safetensors(args.file)
    graph = json.loads(meta["graph"])
    weights = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    batches = [int(b) for b in args.batches.split(",")]
    net = build(torch, graph, weights, weights[f"__x{batches[0]}__"].shape)
    result = {"torch": torch.__version__, "network": summary(graph, weights), "batches": {}}
    with torch.inference_mode():
        for b in batches:
            x, y_engine = weights[f"__x{b}__"], weights[f"__y{b}__"]
            y = net(x)
            diff = float((y - y_engine).abs().max() / y_engine.abs().max())
            ms = best_of(lambda: net(x), args.repeat, min_seconds=0) * 1e3
            result["batches"][str(b)] = {"torch_ms": ms, "rel_diff": diff}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
