"""coursekit vs scikit-learn's MLPClassifier, and both vs the GEMM bound, in one run.

Workload 1 (issue 4): ``mnist_like`` data, 60000 x 784, 10 classes; network 784-256-256-10
ReLU, Adam (lr 1e-3), batch 128, one BLAS thread, float32 and float64. The **GEMM bound** is
a replay of the eight matrix products of one training step (3 forward, 3 dW, 2 dX: the first
layer's dX is never needed) over one epoch's batches, into preallocated outputs: no training
loop can beat it with these products, so ``coursekit / GEMM bound`` is the overhead of
everything else (activations, loss, Adam, Python).

Workload 2: ``digits`` (1347 training images), 64-64-10, Adam (lr 1e-2), batch 128, 50 epochs.

Times are CPU seconds of this process (``time.process_time``): with one BLAS thread that is
the wall time of an idle machine, and on a shared machine it does not count the time spent
waiting for a core. Other processes still slow a running one down (shared caches, memory,
hyperthreads), only ever upwards, so every figure is a minimum: workload 1 over rounds in which
coursekit, the GEMM bound and sklearn each run one epoch in turn, workload 2 over repeats. Run
``python bench/mlp_speed.py -h`` for smaller settings; results go to ``build/bench/mlp_speed.json``.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads its BLAS

import argparse
import json
import math
import platform
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from coursekit import MLP, CrossEntropyLoss
from coursekit import datasets as ds
from coursekit.optim import Adam
from coursekit.training import accuracy, fit

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = (256, 256)
clock = time.process_time


def gemm_epoch(X: np.ndarray, batch_size: int, sizes) -> float:
    """Seconds for the 8 products of every training step of one epoch (the GEMM bound)."""
    rng = np.random.default_rng(0)
    W = [(rng.standard_normal((a, b)) / np.sqrt(a)).astype(X.dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    A = [np.empty((batch_size, b), X.dtype) for b in sizes[1:]]       # Z1, Z2, Z3 (also the dZ)
    dW = [np.empty_like(w) for w in W]
    dX = [np.empty((batch_size, a), X.dtype) for a in sizes[1:-1]]   # dX of layers 2 and 3
    start = clock()
    for s in range(0, len(X), batch_size):
        Xb = X[s:s + batch_size]
        Z = [a[:len(Xb)] for a in A]
        np.matmul(Xb, W[0], out=Z[0])                      # forward
        np.matmul(Z[0], W[1], out=Z[1])
        np.matmul(Z[1], W[2], out=Z[2])
        for inp, dZ, out in zip((Xb, Z[0], Z[1]), Z, dW):  # dW = A_prev^T dZ
            np.matmul(inp.T, dZ, out=out)
        np.matmul(Z[2], W[2].T, out=dX[1][:len(Xb)])       # dX = dZ W^T, layers 3 and 2
        np.matmul(Z[1], W[1].T, out=dX[0][:len(Xb)])
    return clock() - start


class FirstStepClock:
    """A constant learning-rate schedule that notes the clock at the first step of a fit call.

    ``fit`` calls its schedule before every step, so the time from the first step to the
    return of ``fit`` is the epoch without ``fit``'s one-off input checks (amortised in real use).
    """

    def __init__(self, lr: float):
        self.lr, self.start = lr, None

    def __call__(self, k: int) -> float:
        if self.start is None:
            self.start = clock()
        return self.lr


def sklearn_classifier(hidden, *, lr: float, batch_size: int):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden, activation="relu", solver="adam", alpha=0.0, batch_size=batch_size,
                         learning_rate_init=lr, random_state=0, shuffle=True)


def sklearn_epoch(clf, X, y) -> float:
    """Seconds for one epoch of sklearn's Adam minibatches (``partial_fit``)."""
    start = clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(X, y, classes=np.arange(10))
    return clock() - start


def mnist_workload(args, dtype) -> dict:
    """Epochs of coursekit, the GEMM bound and sklearn taken in turn (min of each over rounds).

    Taking them in turn, rather than all epochs of one and then the other, keeps a slow
    phase of the machine from landing on one contender only.
    """
    dtype = np.dtype(dtype)
    X, y = ds.mnist_like(args.samples, rng=0, dtype=dtype)
    X_test, y_test = ds.mnist_like(args.test_samples, rng=1, dtype=dtype)
    sizes = [X.shape[1], *HIDDEN, 10]
    model = MLP(sizes, rng=0, dtype=dtype)
    opt, loss, shuffle = Adam(model.parameters(), lr=1e-3), CrossEntropyLoss(), np.random.default_rng(0)
    clf = sklearn_classifier(HIDDEN, lr=1e-3, batch_size=args.batch_size)
    times = {"coursekit": [], "gemm": [], "sklearn": []}
    for _ in range(args.epochs):
        timer = FirstStepClock(1e-3)
        fit(model, loss, opt, X, y, epochs=1, batch_size=args.batch_size, rng=shuffle,
            schedule=timer, progress=False)
        times["coursekit"].append(clock() - timer.start)
        times["gemm"].append(gemm_epoch(X, args.batch_size, sizes))
        if not args.no_sklearn:
            times["sklearn"].append(sklearn_epoch(clf, X, y))
    ck, bound = min(times["coursekit"]), min(times["gemm"])
    result = dict(dtype=dtype.name, samples=len(X), epochs=args.epochs, gemm_bound_s=bound,
                  coursekit_s_per_epoch=ck, coursekit_epoch_times=times["coursekit"],
                  gemm_epoch_times=times["gemm"],
                  coursekit_test_acc=accuracy(model, X_test, y_test, loss), coursekit_over_gemm=ck / bound)
    if not args.no_sklearn:
        assert clf.coefs_[0].dtype == X.dtype, "sklearn must train in the data's precision"
        sk = min(times["sklearn"])
        result.update(sklearn_s_per_epoch=sk, sklearn_epoch_times=times["sklearn"],
                      sklearn_test_acc=float(clf.score(X_test, y_test)), sklearn_over_coursekit=sk / ck)
    return result


def digits_workload(args) -> dict:
    X, y = ds.digits(np.float32)
    X_train, X_test, y_train, y_test = ds.train_test_split(X, y, rng=0)
    best, acc = math.inf, None
    for _ in range(args.repeats):
        model = MLP([64, 64, 10], rng=0, dtype=np.float32)
        opt, loss = Adam(model.parameters(), lr=1e-2), CrossEntropyLoss()
        start = clock()
        fit(model, loss, opt, X_train, y_train, epochs=args.digits_epochs, batch_size=128, rng=0,
            progress=False)
        best = min(best, clock() - start)
        acc = accuracy(model, X_test, y_test, loss)
    result = dict(dtype="float32", epochs=args.digits_epochs, coursekit_total_s=best,
                  coursekit_test_acc=acc)
    if not args.no_sklearn:
        clf = sklearn_classifier((64,), lr=1e-2, batch_size=128)
        total = sum(sklearn_epoch(clf, X_train, y_train) for _ in range(args.digits_epochs))
        result.update(sklearn_total_s=total, sklearn_test_acc=float(clf.score(X_test, y_test)))
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=60000, help="training images (default 60000)")
    parser.add_argument("--test-samples", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=3, help="rounds (epochs of each contender) of the MNIST-sized workload")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    parser.add_argument("--digits-epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the digits workload")
    parser.add_argument("--no-sklearn", action="store_true", help="time coursekit only")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "mlp_speed.json")
    args = parser.parse_args(argv)

    with threadpool_limits(1):
        blas = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
        results = dict(machine=platform.machine(), python=platform.python_version(),
                       numpy=np.__version__, blas_threads=blas,
                       mnist_like=[mnist_workload(args, dt) for dt in args.dtypes],
                       digits=digits_workload(args))

    print(f"one BLAS thread ({blas}); CPU seconds\n")
    print(f"mnist_like {args.samples} x 784, 784-256-256-10 ReLU, Adam, batch {args.batch_size}")
    print(f"{'dtype':8} {'GEMM s/ep':>10} {'coursekit':>10} {'sklearn':>10} {'ck/GEMM':>8} "
          f"{'sk/ck':>7} {'ck acc':>7} {'sk acc':>7}")
    for r in results["mnist_like"]:
        sk = (f"{r['sklearn_s_per_epoch']:10.3f}", f"{r['sklearn_over_coursekit']:7.2f}",
              f"{r['sklearn_test_acc']:7.4f}") if "sklearn_s_per_epoch" in r else ("-".rjust(10), "-".rjust(7), "-".rjust(7))
        print(f"{r['dtype']:8} {r['gemm_bound_s']:10.3f} {r['coursekit_s_per_epoch']:10.3f} {sk[0]} "
              f"{r['coursekit_over_gemm']:8.2f} {sk[1]} {r['coursekit_test_acc']:7.4f} {sk[2]}")
    d = results["digits"]
    print(f"\ndigits 64-64-10, {d['epochs']} epochs, float32: coursekit {d['coursekit_total_s']:.3f} s "
          f"(test acc {d['coursekit_test_acc']:.4f})"
          + (f", sklearn {d['sklearn_total_s']:.3f} s (test acc {d['sklearn_test_acc']:.4f})"
             if "sklearn_total_s" in d else ""))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {args.out}")
    return results


if __name__ == "__main__":
    main()
