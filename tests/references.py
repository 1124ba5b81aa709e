"""Independent references that the experiments tests and the explorer tests both check against
(written out with NumPy from the definitions, never taken from the code under test)."""
import numpy as np

from coursekit.datasets import digits, train_test_split


def xor_forward_by_hand(model, P):
    """The XOR net (lessons 00/02): h = max(0, x W1 + b1), z = h W2 + b2, from its parameters."""
    W1, b1, W2, b2 = (p.data for p in model.parameters())
    H = np.maximum(P @ W1 + b1, 0)
    return H, (H @ W2 + b2)[:, 0]


def lesson_digits_split():
    """Lesson 11's digits: the training and test images (seed 0, a quarter held out)."""
    X, y = digits()
    X_train, X_test, _, _ = train_test_split(X, y, rng=0)
    return X_train, X_test


def pca_error_by_svd(X_train, X_eval, k):
    """Project onto the top k principal directions of the training digits (NumPy's SVD)."""
    mu = X_train.mean(axis=0)
    V = np.linalg.svd(X_train - mu)[2][:k].T
    return np.mean((X_eval - mu - (X_eval - mu) @ V @ V.T) ** 2)
