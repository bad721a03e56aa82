#!/usr/bin/python3
"""Plaintext FedAvg baseline for bench/run: Flower's `aggregate_inplace` on NumPy.

10 clients x one float32 ndarray of N values (default 10M), weighted by num_examples, written
the way flwr.server.strategy.aggregate.aggregate_inplace does it: scale each client's
ndarrays by num_examples / total in place (np.multiply(out=)) and fold them with np.add
(out=) through functools.reduce. Deserialisation (parameters_to_ndarrays) is not timed: the
arrays are ready in memory, which favours the baseline. Prints the best wall time in seconds.
"""
import sys
import time
from functools import partial, reduce

import numpy as np


def _try_inplace(x, y, np_binary_op):
    return (
        np_binary_op(x, y, out=x)
        if np.can_cast(y, x.dtype, casting="same_kind")
        else np_binary_op(x, np.array(y, x.dtype), out=x)
    )


def aggregate_inplace(results):
    """results: list of (ndarrays, num_examples), as Flower's FitRes carry them."""
    num_examples_total = sum(n for _, n in results)
    scaling_factors = np.asarray([n / num_examples_total for _, n in results])
    params = [
        _try_inplace(x, scaling_factors[0], np_binary_op=np.multiply) for x in results[0][0]
    ]
    for i, (arrays, _) in enumerate(results[1:], start=1):
        res = (_try_inplace(x, scaling_factors[i], np_binary_op=np.multiply) for x in arrays)
        params = [
            reduce(partial(_try_inplace, np_binary_op=np.add), layer_updates)
            for layer_updates in zip(params, res)
        ]
    return params


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = np.random.default_rng(1)
    base = [rng.uniform(-0.01, 0.01, n).astype(np.float32) for _ in range(10)]
    best = float("inf")
    for _ in range(reps):
        # aggregate_inplace scales the clients' arrays in place: fresh copies each time.
        results = [([b.copy()], 100 + 10 * i) for i, b in enumerate(base)]
        t0 = time.perf_counter()
        out = aggregate_inplace(results)
        best = min(best, time.perf_counter() - t0)
        assert out[0].shape == (n,)
    print(f"{best:.6f}")


if __name__ == "__main__":
    main()
