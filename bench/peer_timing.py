"""Timing shared by the benchmark peers: best per-call seconds, the way the engine's bench times itself."""
import json
import os
import time


def best_of(fn, repeat, min_seconds=0.02, warm_up_seconds=0.0):
    """Best per-call seconds over `repeat` runs; each run calls fn enough times to last min_seconds.
    Calls fn for warm_up_seconds first (the engine side does the same for its JIT)."""
    t0 = time.perf_counter()
    fn()
    while time.perf_counter() - t0 < warm_up_seconds:
        fn()
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_seconds or calls >= 1 << 20:
            break
        calls *= 2
    best = dt / calls
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def blas_info():
    """Which BLAS this process loaded and, for OpenBLAS, the kernel (core) it runs and its threads:
    threadpoolctl's report when it is installed, else OpenBLAS's own openblas_get_corename()."""
    try:
        import threadpoolctl
        for pool in threadpoolctl.threadpool_info():
            if pool.get("internal_api") == "openblas":
                return {"libraries": [pool["filepath"]], "openblas_core": pool.get("architecture"),
                        "openblas_config": pool.get("version"), "openblas_threads": pool.get("num_threads"),
                        "source": "threadpoolctl"}
    except ImportError:
        pass
    import ctypes
    libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and "/" in line})
    info = {"libraries": libs, "source": "openblas_get_corename"}
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["openblas_core"] = lib.openblas_get_corename().decode()
            info["openblas_config"] = lib.openblas_get_config().decode()
            info["openblas_threads"] = lib.openblas_get_num_threads()
            break
        except (OSError, AttributeError):
            continue
    return info


def write_products(check_dir, sizes, matmul, tag):
    """The product check: reads the engine's float32 operands a<n>.f32 and b<n>.f32 (n×n, row-major)
    from check_dir, computes matmul(a, b) -> bytes, writes c<n>.<tag>.f32 for the engine to compare."""
    for n in sizes:
        a = open(os.path.join(check_dir, f"a{n}.f32"), "rb").read()
        b = open(os.path.join(check_dir, f"b{n}.f32"), "rb").read()
        if len(a) != 4 * n * n or len(b) != 4 * n * n:
            raise ValueError(f"{check_dir}: a{n}.f32/b{n}.f32 must hold {n}x{n} float32")
        with open(os.path.join(check_dir, f"c{n}.{tag}.f32"), "wb") as f:
            f.write(matmul(a, b, n))


def import_torch(threads):
    """PyTorch with `threads` intra-op threads, or None after printing the JSON line the engine reads as 'peer missing'."""
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the machine
        print(json.dumps({"missing": f"PyTorch not importable ({e}); install python3-torch"}))
        return None
    torch.set_num_threads(threads)
    return torch
