"""Python concurrency equivalents of the engine's benchmark workloads.

What it measures
----------------
The wall time of the constructs that Python concurrency tutorials teach
(a plain loop, threading.Thread per task, ThreadPoolExecutor.map,
multiprocessing.Pool.map, ProcessPoolExecutor.map, asyncio.gather) on the
same three workloads the Rust engine runs, on the same machine:

  square  n tasks, task i returns i*i; answer = sum of results, checked
          against (n-1)*n*(2n-1)//6.  A task is tiny, so per_task_ns is the
          per-task overhead of the construct.
  primes  count primes below n by trial division, the range 2..n split into
          `tasks` equal parts exactly as the engine splits it; answer = sum of
          the per-part counts, checked against a sieve of Eratosthenes.
          The row's "n" is the range limit (300000), so per_task_ns here is
          median / n (per number examined); per task of the 64 parts it is
          median / 64.
  sleep   n tasks, each waits 10 ms (time.sleep / asyncio.sleep) and returns
          its wait in microseconds (10000); answer = n * 10000.

Every row: one untimed warm-up (none with --quick), then R timed repetitions
(R=5, quick R=1) with time.perf_counter().  Pools are created inside the
timed region (start-up included).  speedup = median of the "sequential" row
of the same workload and the same n / this row's median (extra sequential
rows are measured at every n that another row uses).

asyncio.gather: for square and primes the coroutines compute without await
(workers 1, no parallelism); for sleep they await asyncio.sleep, bounded by
an asyncio.Semaphore(workers).  For sleep, ThreadPoolExecutor.map and
asyncio.gather are also run with 8 workers to show I/O overlap beyond the
core count.

How to run
----------
    python3 bench/python/equivalents.py [--quick] [--workers N]

N defaults to os.cpu_count().  Prints exactly one JSON object on stdout
(progress goes to stderr).  Exit 0 even when a row's answer is wrong (that
row has "verified": false); exit 2 on bad arguments.  Standard library only.
"""

import asyncio
import json
import multiprocessing
import os
import platform
import statistics
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

LATENCY_MS = 10
LATENCY_US = LATENCY_MS * 1000
IO_WORKERS = 8


# ---------------------------------------------------------------- task bodies
# (module top level, so that they can be pickled under the spawn start method)

def square(i):
    return i * i


def is_prime(k):
    if k < 2:
        return False
    if k < 4:
        return True
    if k % 2 == 0:
        return False
    d = 3
    while d * d <= k:
        if k % d == 0:
            return False
        d += 2
    return True


def count_primes_range(bounds):
    lo, hi = bounds
    c = 0
    for k in range(lo, hi):
        if is_prime(k):
            c += 1
    return c


def sleep_task(_i):
    time.sleep(LATENCY_MS / 1000.0)
    return LATENCY_US


async def square_coro(i):
    return i * i


async def primes_coro(bounds):
    return count_primes_range(bounds)


async def sleep_coro(sem):
    async with sem:
        await asyncio.sleep(LATENCY_MS / 1000.0)
        return LATENCY_US


# ------------------------------------------------------------------ workloads

def split_parts(n, parts):
    """Same split as the engine: [2+start, 2+start+size) for part i."""
    length = max(n - 2, 0)
    base, extra = divmod(length, parts)
    out = []
    for i in range(parts):
        start = i * base + min(i, extra)
        size = base + (1 if i < extra else 0)
        out.append((2 + start, 2 + start + size))
    return out


def sieve_count(n):
    """Number of primes < n."""
    if n < 3:
        return 0
    s = bytearray([1]) * n
    s[0] = s[1] = 0
    i = 2
    while i * i < n:
        if s[i]:
            s[i * i::i] = bytes(len(range(i * i, n, i)))
        i += 1
    return sum(s)


class Workload:
    def __init__(self, name, func, coro, items, reference):
        self.name = name
        self.func = func          # picklable function of one item
        self.coro = coro          # coroutine function (square/primes) or None
        self.items = items        # a range or a list of task arguments
        self.reference = reference


def square_workload(n):
    return Workload("square", square, square_coro, range(n),
                    (n - 1) * n * (2 * n - 1) // 6)


def primes_workload(n, tasks, reference):
    return Workload("primes", count_primes_range, primes_coro,
                    split_parts(n, tasks), reference)


def sleep_workload(n):
    return Workload("sleep", sleep_task, None, range(n), n * LATENCY_US)


# ----------------------------------------------------------------- constructs
# Each returns the answer (sum of the per-task results, gathered in order).

def run_sequential(w, _workers):
    return sum(map(w.func, w.items))


def run_thread_per_task(w, workers):
    items = list(w.items)
    results = [None] * len(items)
    gate = threading.BoundedSemaphore(workers)

    def body(idx, item):
        try:
            results[idx] = w.func(item)
        finally:
            gate.release()

    threads = []
    for idx, item in enumerate(items):
        gate.acquire()
        t = threading.Thread(target=body, args=(idx, item))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    return sum(results)


def run_thread_pool(w, workers):
    with ThreadPoolExecutor(max_workers=workers) as ex:
        return sum(ex.map(w.func, w.items))


def run_pool_default(w, workers):
    with multiprocessing.Pool(workers) as pool:
        return sum(pool.map(w.func, w.items))


def run_pool_chunk1(w, workers):
    with multiprocessing.Pool(workers) as pool:
        return sum(pool.map(w.func, w.items, chunksize=1))


def run_process_pool(w, workers):
    with ProcessPoolExecutor(max_workers=workers) as ex:
        return sum(ex.map(w.func, w.items))


def run_asyncio(w, workers):
    async def main():
        if w.coro is not None:
            res = await asyncio.gather(*(w.coro(x) for x in w.items))
        else:
            sem = asyncio.Semaphore(workers)
            res = await asyncio.gather(*(sleep_coro(sem) for _ in w.items))
        return sum(res)
    return asyncio.run(main())


def pool_default_chunksize(length, workers):
    """What CPython's Pool.map computes when chunksize is None."""
    if length == 0:
        return 0
    chunksize, extra = divmod(length, workers * 4)
    if extra:
        chunksize += 1
    return chunksize


# ----------------------------------------------------------------- measuring

def measure(construct, runner, w, n, workers, chunksize, reps, warmup):
    log(f"{construct:45s} {w.name:7s} n={n:<7d} workers={workers} ...")
    verified = True
    answer = None
    if warmup:
        answer = runner(w, workers)
        if answer != w.reference:
            verified = False
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        answer = runner(w, workers)
        t1 = time.perf_counter()
        times.append(t1 - t0)
        if answer != w.reference:
            verified = False
    med = statistics.median(times)
    log(f"{'':45s} median {med:.4f}s verified={verified}")
    return {
        "construct": construct,
        "workload": w.name,
        "n": n,
        "workers": workers,
        "chunksize": chunksize,
        "times": times,
        "median": med,
        "min": min(times),
        "per_task_ns": med / n * 1e9 if n else 0.0,
        "speedup": None,
        "verified": verified,
        "answer": str(answer),
    }


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def usage_error(msg):
    print(f"equivalents.py: {msg} (usage: python3 bench/python/equivalents.py"
          " [--quick] [--workers N])", file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    quick = False
    workers = os.cpu_count() or 1
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--quick":
            quick = True
        elif a == "--workers" or a.startswith("--workers="):
            if a == "--workers":
                i += 1
                if i >= len(argv):
                    usage_error("--workers needs a value")
                val = argv[i]
            else:
                val = a.split("=", 1)[1]
            try:
                workers = int(val)
            except ValueError:
                usage_error(f"--workers expects a positive integer, got {val!r}")
            if workers < 1:
                usage_error(f"--workers expects a positive integer, got {val!r}")
        else:
            usage_error(f"unknown argument {a!r}")
        i += 1
    return quick, workers


def main():
    quick, N = parse_args(sys.argv[1:])
    reps = 1 if quick else 5
    warmup = not quick

    if quick:
        sq_n, sq_thread_n, sq_slow_n = 5_000, 2_000, 2_000
        pr_n, pr_tasks = 30_000, 16
        sl_n = 20
    else:
        sq_n, sq_thread_n, sq_slow_n = 100_000, 10_000, 20_000
        pr_n, pr_tasks = 300_000, 64
        sl_n = 100

    rows = []

    def add(construct, runner, w, n, workers, chunksize):
        rows.append(measure(construct, runner, w, n, workers, chunksize,
                            reps, warmup))

    def pool_rows(w, n):
        length = len(w.items)
        add("multiprocessing.Pool.map chunksize=default", run_pool_default,
            w, n, N, pool_default_chunksize(length, N))

    # ---- square
    sq = square_workload(sq_n)
    sq_thread = square_workload(sq_thread_n)
    sq_slow = square_workload(sq_slow_n)
    seq_ns = []
    for w in (sq, sq_thread, sq_slow):
        if len(w.items) not in seq_ns:
            seq_ns.append(len(w.items))
            add("sequential", run_sequential, w, len(w.items), 1, None)
    add("threading.Thread per task", run_thread_per_task, sq_thread,
        sq_thread_n, N, None)
    add("ThreadPoolExecutor.map", run_thread_pool, sq, sq_n, N, None)
    pool_rows(sq, sq_n)
    add("multiprocessing.Pool.map chunksize=1", run_pool_chunk1, sq_slow,
        sq_slow_n, N, 1)
    add("ProcessPoolExecutor.map", run_process_pool, sq_slow, sq_slow_n, N, 1)
    add("asyncio.gather", run_asyncio, sq, sq_n, 1, None)

    # ---- primes (reference computed once, untimed)
    pr = primes_workload(pr_n, pr_tasks, sieve_count(pr_n))
    add("sequential", run_sequential, pr, pr_n, 1, None)
    add("threading.Thread per task", run_thread_per_task, pr, pr_n, N, None)
    add("ThreadPoolExecutor.map", run_thread_pool, pr, pr_n, N, None)
    pool_rows(pr, pr_n)
    add("multiprocessing.Pool.map chunksize=1", run_pool_chunk1, pr, pr_n, N, 1)
    add("ProcessPoolExecutor.map", run_process_pool, pr, pr_n, N, 1)
    add("asyncio.gather", run_asyncio, pr, pr_n, 1, None)

    # ---- sleep (I/O-bound)
    sl = sleep_workload(sl_n)
    add("sequential", run_sequential, sl, sl_n, 1, None)
    add("threading.Thread per task", run_thread_per_task, sl, sl_n, N, None)
    add("ThreadPoolExecutor.map", run_thread_pool, sl, sl_n, N, None)
    if IO_WORKERS != N:
        add("ThreadPoolExecutor.map", run_thread_pool, sl, sl_n, IO_WORKERS,
            None)
    pool_rows(sl, sl_n)
    add("multiprocessing.Pool.map chunksize=1", run_pool_chunk1, sl, sl_n, N, 1)
    add("ProcessPoolExecutor.map", run_process_pool, sl, sl_n, N, 1)
    add("asyncio.gather", run_asyncio, sl, sl_n, N, None)
    if IO_WORKERS != N:
        add("asyncio.gather", run_asyncio, sl, sl_n, IO_WORKERS, None)

    # ---- speedups: only against the sequential row of the same workload & n
    seq = {(r["workload"], r["n"]): r["median"]
           for r in rows if r["construct"] == "sequential"}
    for r in rows:
        base = seq.get((r["workload"], r["n"]))
        if base is not None and r["median"] > 0:
            r["speedup"] = base / r["median"]

    gil_fn = getattr(sys, "_is_gil_enabled", None)
    out = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil_enabled": bool(gil_fn()) if gil_fn is not None else True,
        "cpu_count": os.cpu_count(),
        "workers": N,
        "quick": quick,
        "rows": rows,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
