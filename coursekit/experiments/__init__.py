"""What an explorer, a lesson and a test compute together, in NumPy only (ARCHITECTURE.md).

One module per lesson topic: a training run on a toy set, a gradient-flow profile, the path of
an optimizer, the pieces of a shallow ReLU net. Each returns plain results (dataclasses) and
imports only coursekit's numeric core: no widgets, no figures, no SymPy. The slider explorers
in :mod:`coursekit.explore` are views over these functions; lessons, exercises, tests and
benchmarks import them from here.
"""
