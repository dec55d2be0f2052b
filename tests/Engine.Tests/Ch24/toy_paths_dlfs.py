"""End points of 24.6's toy paths (ToyPathTests.EndPointsMatchNumPy): DLfS's optimizer classes
(common/optimizer.py of "Deep Learning from Scratch", the formulas retyped in plain NumPy) on
f(x, y) = x**2 / 20 + y**2 from (-7, 2), 30 updates each, float64, as ch06/optimizer_compare_naive.py
drives them (params and grads are dicts of the keys 'x' and 'y').

Run: /usr/bin/python3 tests/Engine.Tests/Ch24/toy_paths_dlfs.py
"""
import numpy as np


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr, self.h = lr, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter, self.m, self.v = lr, beta1, beta2, 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


def end_point(optimizer, steps=30):
    params = {"x": np.array(-7.0), "y": np.array(2.0)}
    for _ in range(steps):
        grads = {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}
        optimizer.update(params, grads)
    return float(params["x"]), float(params["y"])


for name, opt in [("SGD", SGD(lr=0.95)), ("Momentum", Momentum(lr=0.1)), ("AdaGrad", AdaGrad(lr=1.5)), ("Adam", Adam(lr=0.3))]:
    x, y = end_point(opt)
    print(f'["{name}"] = ({x!r}, {y!r}),')
