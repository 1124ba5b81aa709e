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
hyperthreads), only ever upwards, so every figure is a minimum: workload 1 over its epochs
(coursekit, sklearn) or repeats (the GEMM bound), workload 2 over repeats. Run ``python bench/mlp_speed.py -h``
for smaller settings; results go to ``build/bench/mlp_speed.json``.
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


def gemm_bound(X: np.ndarray, batch_size: int, sizes, repeats: int) -> float:
    """Seconds for the 8 products of every training step of one epoch (min over repeats)."""
    rng = np.random.default_rng(0)
    W = [(rng.standard_normal((a, b)) / np.sqrt(a)).astype(X.dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    A = [np.empty((batch_size, b), X.dtype) for b in sizes[1:]]       # Z1, Z2, Z3 (also the dZ)
    dW = [np.empty_like(w) for w in W]
    dX = [np.empty((batch_size, a), X.dtype) for a in sizes[1:-1]]   # dX of layers 2 and 3
    best = math.inf
    for _ in range(repeats):
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
        best = min(best, clock() - start)
    return best


class EpochClock:
    """A constant learning-rate schedule that notes the clock at each epoch's first step.

    ``fit`` calls its schedule before every step k, so one fit call over all epochs (its one-off
    input checks amortised, as in real use) yields the time of each epoch.
    """

    def __init__(self, lr: float, steps_per_epoch: int):
        self.lr, self.steps_per_epoch, self.stamps = lr, steps_per_epoch, []

    def __call__(self, k: int) -> float:
        if k == len(self.stamps) * self.steps_per_epoch:   # fit may ask twice for the same k
            self.stamps.append(clock())
        return self.lr

    def epoch_times(self) -> list[float]:
        stamps = [*self.stamps, clock()]
        return [b - a for a, b in zip(stamps[:-1], stamps[1:])]


def coursekit_run(X, y, X_test, y_test, *, epochs, lr, batch_size, sizes, seed=0):
    """One fit call over all epochs; returns the epochs' CPU times and the test accuracy."""
    model = MLP(sizes, rng=seed, dtype=X.dtype)
    opt, loss = Adam(model.parameters(), lr=lr), CrossEntropyLoss()
    timer = EpochClock(lr, math.ceil(len(X) / batch_size))
    fit(model, loss, opt, X, y, epochs=epochs, batch_size=batch_size, rng=seed, schedule=timer,
        progress=False)
    return timer.epoch_times(), accuracy(model, X_test, y_test, loss)


def sklearn_run(X, y, X_test, y_test, *, epochs, lr, batch_size, hidden, seed=0):
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden, activation="relu", solver="adam", alpha=0.0, batch_size=batch_size,
                        learning_rate_init=lr, random_state=seed, shuffle=True)
    classes = np.unique(y)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            start = clock()
            clf.partial_fit(X, y, classes=classes)  # one epoch of Adam minibatches
            times.append(clock() - start)
    assert clf.coefs_[0].dtype == X.dtype, "sklearn must train in the data's precision"
    return times, float(clf.score(X_test, y_test))


def mnist_workload(args, dtype) -> dict:
    dtype = np.dtype(dtype)
    X, y = ds.mnist_like(args.samples, rng=0, dtype=dtype)
    X_test, y_test = ds.mnist_like(args.test_samples, rng=1, dtype=dtype)
    sizes = [X.shape[1], *HIDDEN, 10]
    ck_times, ck_acc = coursekit_run(X, y, X_test, y_test, epochs=args.epochs, lr=1e-3,
                                     batch_size=args.batch_size, sizes=sizes)
    ck_epoch = min(ck_times)
    bound = gemm_bound(X, args.batch_size, sizes, repeats=max(args.epochs, 2))
    result = dict(dtype=dtype.name, samples=len(X), epochs=args.epochs, gemm_bound_s=bound,
                  coursekit_s_per_epoch=ck_epoch, coursekit_epoch_times=ck_times,
                  coursekit_test_acc=ck_acc, coursekit_over_gemm=ck_epoch / bound)
    if not args.no_sklearn:
        sk_times, sk_acc = sklearn_run(X, y, X_test, y_test, epochs=args.epochs, lr=1e-3,
                                       batch_size=args.batch_size, hidden=HIDDEN)
        sk_epoch = min(sk_times)
        result.update(sklearn_s_per_epoch=sk_epoch, sklearn_epoch_times=sk_times,
                      sklearn_test_acc=sk_acc, sklearn_over_coursekit=sk_epoch / ck_epoch)
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
        sk_times, sk_acc = sklearn_run(X_train, y_train, X_test, y_test, epochs=args.digits_epochs,
                                       lr=1e-2, batch_size=128, hidden=(64,))
        result.update(sklearn_total_s=sum(sk_times), sklearn_test_acc=sk_acc)
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=60000, help="training images (default 60000)")
    parser.add_argument("--test-samples", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the MNIST-sized workload")
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
