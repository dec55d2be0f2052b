"""Timing shared by the benchmark peers: best per-call seconds, the way the engine's bench times itself."""
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
