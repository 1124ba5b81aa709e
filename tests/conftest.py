"""Shared pytest set-up: headless plotting, and notebooks under tests/ are fixtures, not tests."""
import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

TESTS = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    # nbval would otherwise execute the fixture notebooks (graded submissions, hostile code).
    if collection_path.suffix == ".ipynb" and TESTS in collection_path.resolve().parents:
        return True
    return None
