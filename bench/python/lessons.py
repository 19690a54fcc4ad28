"""The lessons' Python side: each claim of `native-runner lessons`, tested in real CPython.

What it does
------------
Reads one JSON object on stdin, as `native-runner lessons --python` writes it:

    {"lessons": [{"id": "gil-cpu", "experiments": [<experiment>, ...]}, ...]}

where each <experiment> is the engine's experiment spec (workload name, n, params, model,
workers, chunk size, order, sweep, repetitions, warmups), already sized for CPython by the
caller.  For each lesson it runs the construct the tutorials teach for that claim, one result
set per experiment, with the same workload (same task split, same waits, same seed) and prints
one JSON object on stdout:

    {"implementation": "CPython", "version": "3.11.7",
     "lessons": [{"id": "gil-cpu",
                  "sets": [{"rows": [{"model": "sequential", "workers": 1,
                                      "chunk_size": null, "times": [...],
                                      "answer": "...", "verified": true,
                                      "delivered": [3, 0, ...]}, ...]}]},
                 {"id": "amdahl", "error": "no Python side"}]}

Each row names the engine model it stands beside ("gil" for threads under CPython's GIL,
"process-pool" for multiprocessing.Pool, ...), so the engine judges CPython's rows with the
very predicate it uses for its own.  `delivered` lists task indices in the order the caller
received them (the `order` lesson).  Verdicts are not computed here.

Every set: the experiment's warm-ups of each row (untimed), then its repetitions in
alternating rounds (baseline, row 1, row 2, baseline, ...), as the engine runs them, timed with
time.perf_counter(); pools are created inside the timed region (start-up included, as the
engine's process pool starts its workers inside each run).  Progress goes to stderr.
Exit 0 with a row's "verified": false when an answer is wrong; exit 2 on bad input.
Standard library only.

The racy counter
----------------
CPython 3.10 and later switch threads only at function calls and loop back-edges, so a bare
`counter += 1` in a loop is almost never split between its read and its write.  The racy
variant here is the tutorials' read-compute-write with a call between the read and the write
(`value = counter; value = add_one(value); counter = value`), which is where real code calls
something, and where CPython does switch.
"""

import asyncio
import itertools
import json
import multiprocessing
import os
import platform
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from equivalents import (  # noqa: E402  (the path above makes the sibling importable)
    count_primes_range,
    run_thread_per_task,
    run_thread_pool,
    sieve_count,
    split_parts,
    square,
)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class BadInput(Exception):
    pass


# ---------------------------------------------------------------- workloads

MASK64 = (1 << 64) - 1


def splitmix64(state):
    """The engine's seeded generator (sleep.rs): returns (new state, value)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def waits_us(exp):
    """Each task's wait in microseconds, drawn exactly as the engine draws them."""
    p = exp["workload"].get("params", {})
    latency = int(p.get("latency_ms", 10)) * 1000
    jitter = int(p.get("jitter_ms", 0)) * 1000
    state = int(p.get("seed", 1))
    out = []
    for _ in range(exp["workload"]["n"]):
        if jitter == 0:
            out.append(latency)
        else:
            state, r = splitmix64(state)
            out.append(max(latency + r % (2 * jitter + 1) - jitter, 0))
    return out


def fetch(job):
    """An I/O-bound task: wait, then hand back its index (so delivery order can be seen)."""
    index, wait_us = job
    time.sleep(wait_us / 1e6)
    return index


async def fetch_async(job, sem):
    async with sem:
        await asyncio.sleep(job[1] / 1e6)
        return job[0]


async def compute_async(bounds):
    return count_primes_range(bounds)


class Work:
    """A workload as task arguments, the function of one task, and the expected total."""

    def __init__(self, exp):
        w = exp["workload"]
        name, n, p = w["name"], int(w["n"]), w.get("params", {})
        self.name, self.n = name, n
        if name == "primes":
            self.items = split_parts(n, int(p.get("tasks", 64)))
            self.func = count_primes_range
            self.expected = sieve_count(n)
        elif name == "square":
            self.items = range(n)
            self.func = square
            self.expected = (n - 1) * n * (2 * n - 1) // 6
        elif name == "sleep":
            self.items = list(enumerate(waits_us(exp)))
            self.func = fetch
            self.expected = n * (n - 1) // 2
        else:
            raise BadInput(f"workload {name}: no Python side")

    def summary(self, total):
        return f"{self.name}: {total}"


# ----------------------------------------------------------------- measuring

def config(model, workers, run, chunk_size=None):
    """One row to measure: the engine model it stands beside, and `run`, which returns
    (answer, verified, delivered)."""
    return {"model": model, "workers": workers, "chunk_size": chunk_size, "run": run}


def measure(exp, configs):
    """The experiment's warm-ups of every config, then its repetitions in alternating rounds
    (baseline, config 1, config 2, baseline, ...), as the engine runs them, so that a change in
    the machine's load over the run hits every row alike.  One result set."""
    reps = exp.get("repetitions", 5)
    if not isinstance(reps, int) or reps < 1:
        raise BadInput(f"repetitions {reps!r}: a whole number of at least 1 is needed")
    rows = [{"model": c["model"], "workers": c["workers"], "chunk_size": c["chunk_size"],
             "times": [], "answer": None, "verified": True} for c in configs]
    for c in configs:
        log(f"  {c['model']:14s} workers={c['workers']} chunk={c['chunk_size']}")
        for _ in range(int(exp.get("warmups", 1))):
            c["run"]()
    for _ in range(reps):
        for c, r in zip(configs, rows):
            t0 = time.perf_counter()
            answer, ok, delivered = c["run"]()
            r["times"].append(time.perf_counter() - t0)
            r["answer"] = answer
            # None: nothing to check against (the racy counter), as the engine reports it.
            r["verified"] = None if ok is None else (r["verified"] is not False and ok)
            if delivered is not None:
                r["delivered"] = delivered
    for r in rows:
        log(f"  {r['model']:14s} mean {sum(r['times']) / reps:.4f}s verified={r['verified']}")
    return {"rows": rows}


def checked(work, results, delivered=None):
    return checked_total(work, sum(results), delivered)


def checked_total(work, total, delivered=None):
    return work.summary(total), total == work.expected, delivered


def with_baseline(exp, work, configs):
    """The set: the sequential baseline that the engine's experiment also runs, then `configs`."""
    base = []
    if exp.get("baseline", True):
        base = [config("sequential", 1,
                       lambda: checked(work, [work.func(x) for x in work.items]))]
    return measure(exp, base + configs)


# ---------------------------------------------------------------- constructs

def threads(work, workers):
    """ThreadPoolExecutor.map: CPython threads, one GIL."""
    return lambda: checked_total(work, run_thread_pool(work, workers))


def pool_map(work, workers, chunksize=None):
    """multiprocessing.Pool.map, with CPython's default chunksize when none is given."""
    def run():
        with multiprocessing.Pool(workers) as pool:
            return checked(work, pool.map(work.func, work.items, chunksize=chunksize))
    return run


def pool_imap(work, workers, unordered):
    """Pool.imap / imap_unordered with chunksize=1: results as the caller receives them."""
    def run():
        with multiprocessing.Pool(workers) as pool:
            it = (pool.imap_unordered if unordered else pool.imap)(work.func, work.items, 1)
            got = list(it)
        if work.name == "sleep":
            # A task hands back its index, so the results are the delivery order.
            return checked(work, got, delivered=got)
        return checked(work, got)
    return run


def gather(work, workers):
    """asyncio.gather: one thread; waits overlap (bounded by a Semaphore), computing does not."""
    def run():
        async def main():
            if work.name == "sleep":
                sem = asyncio.Semaphore(workers)
                return await asyncio.gather(*(fetch_async(j, sem) for j in work.items))
            return await asyncio.gather(*(compute_async(b) for b in work.items))
        return checked(work, asyncio.run(main()))
    return run


def thread_per_task(work, workers):
    """threading.Thread per item, at most `workers` alive at once."""
    return lambda: checked_total(work, run_thread_per_task(work, workers))


# ------------------------------------------------------------- the counters

def add_one(value):
    return value + 1


def counter_run(n, workers, variant):
    """`workers` threads make n increments in all, split as the engine splits them."""
    shares = [hi - lo for lo, hi in split_parts(n + 2, workers)]
    state = {"counter": 0}
    lock = threading.Lock()
    ticket = itertools.count(1)  # next() on it is one C call: atomic under the GIL
    last = [0] * workers

    def racy(k, _w):
        for _ in range(k):
            value = state["counter"]
            value = add_one(value)
            state["counter"] = value

    def mutex(k, _w):
        for _ in range(k):
            with lock:
                state["counter"] += 1

    def atomic(k, w):
        got = 0
        for _ in range(k):
            got = next(ticket)
        last[w] = got

    def local(k, _w):
        mine = 0
        for _ in range(k):
            mine += 1
        with lock:
            state["counter"] += mine

    body = {"racy": racy, "mutex": mutex, "atomic": atomic, "local-then-reduce": local}[variant]

    def run():
        state["counter"] = 0
        nonlocal ticket
        ticket = itertools.count(1)
        ts = [threading.Thread(target=body, args=(k, w)) for w, k in enumerate(shares)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        value = max(last) if variant == "atomic" else state["counter"]
        lost = n - value
        # The engine's counter answer, word for word, so one parser reads both.
        return (f"counter {value} of {n}, {lost} updates lost",
                None if variant == "racy" else lost == 0, None)
    return run


# ------------------------------------------------------------------ lessons
# Each takes the lesson's experiments and returns one result set per experiment.

def by_model(constructs):
    """A lesson whose experiments differ by model: each runs the construct named for it."""
    def lesson(exps):
        out = []
        for exp in exps:
            work, workers = Work(exp), exp["workers"]
            model = exp["model"]["name"]
            run = constructs[model](work, workers)
            out.append(with_baseline(exp, work, [config(model, workers, run)]))
        return out
    return lesson


def chunksize(exps):
    exp = exps[0]
    work, workers = Work(exp), exp["workers"]
    return [with_baseline(exp, work, [
        config("process-pool", workers, pool_map(work, workers, c), chunk_size=c)
        for c in exp["sweep"]["chunk_size"]])]


def imbalance(exps):
    out = []
    for exp in exps:
        work, workers = Work(exp), exp["workers"]
        model = exp["model"]["name"]
        if model == "static-pool":
            chunk = exp["model"]["chunk_size"]
            run = pool_map(work, workers, chunk)
        else:
            chunk, run = 1, pool_imap(work, workers, True)
        out.append(with_baseline(exp, work, [config(model, workers, run, chunk_size=chunk)]))
    return out


def race(exps):
    out = []
    for exp in exps:
        n, workers = int(exp["workload"]["n"]), exp["workers"]
        variant = exp["workload"]["params"]["variant"]
        out.append(measure(exp, [config(exp["model"]["name"], workers,
                                        counter_run(n, workers, variant))]))
    return out


def oversubscription(exps):
    exp = exps[0]
    work = Work(exp)
    return [with_baseline(exp, work, [
        config("dynamic-pool", w, pool_imap(work, w, True)) for w in exp["sweep"]["workers"]])]


def order(exps):
    out = []
    for exp in exps:
        work, workers = Work(exp), exp["workers"]
        unordered = exp["model"].get("order") == "completion"
        out.append(measure(exp, [config("dynamic-pool", workers,
                                        pool_imap(work, workers, unordered))]))
    return out


LESSONS = {
    "gil-cpu": by_model({"gil": threads}),
    "gil-io": by_model({"gil": threads}),
    "processes-cpu": by_model({"process-pool": pool_map, "gil": threads}),
    "async-io": by_model({"async": gather}),
    "async-cpu": by_model({"async": gather}),
    "chunksize": chunksize,
    "imbalance": imbalance,
    "race": race,
    "oversubscription": oversubscription,
    "order": order,
    "thread-startup": by_model({"thread-per-task": thread_per_task, "dynamic-pool": threads}),
}


def main():
    try:
        request = json.load(sys.stdin)
        lessons = request["lessons"]
    except (ValueError, KeyError, TypeError) as e:
        print(f"lessons.py: the request on stdin is not valid: {e}", file=sys.stderr)
        return 2
    out = []
    for lesson in lessons:
        lid = lesson.get("id")
        side = LESSONS.get(lid)
        if side is None:
            out.append({"id": lid, "error": "no Python side"})
            continue
        log(f"{lid}:")
        try:
            out.append({"id": lid, "sets": side(lesson["experiments"])})
        except BadInput as e:
            print(f"lessons.py: {lid}: {e}", file=sys.stderr)
            return 2
        except Exception as e:  # reported with the lesson, so the others still run
            traceback.print_exc()
            out.append({"id": lid, "error": f"{type(e).__name__}: {e}"})
    json.dump({
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "lessons": out,
    }, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
