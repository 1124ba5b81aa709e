"""The sparse autoencoder (deck 002, "Sparse activations"): many hidden units, few active at once.

:func:`train_sparse_autoencoder` trains ``64 -> k -> 64`` with sigmoid units on images, with
the reconstruction loss of lesson 11 plus :class:`coursekit.sparsity.KLSparsity` on the code,
so that each hidden unit's mean activation approaches a small target rho. Lesson 11 shows the
learned filters (the columns of W1 as images); exercise 12 asks for the penalty's gradient.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_generator, finite_float, float_array, positive_int
from ..activations import Sigmoid
from ..layers import Linear
from ..losses import MSELoss
from ..module import Sequential
from ..optim import Adam
from ..sparsity import KLSparsity


@dataclass(frozen=True)
class SparseAutoencoderRun:
    """A trained sparse autoencoder.

    Shapes (n images of d pixels, k hidden units)
    ------
    filters: (k, d), row j the weights into hidden unit j (a column of W1); rho_hat: (k,), each
    unit's mean activation on the training images; loss, penalty: one value per epoch.
    """

    encoder: Sequential
    decoder: Sequential
    filters: np.ndarray
    rho_hat: np.ndarray
    loss: list
    penalty: list


def train_sparse_autoencoder(X, k: int = 25, *, rho: float = 0.05, lam: float = 3.0, epochs: int = 40,
                             lr: float = 0.01, batch_size: int = 64, rng=0) -> SparseAutoencoderRun:
    """Minibatch Adam on ``J = MSE(x_hat, x) + lam sum_j KL(rho || rho_hat_j)``; ``lam = 0`` is a
    plain autoencoder with the same architecture.

    Math
    ----
    Backprop adds the penalty's ``dJ/da`` to the decoder's gradient at the code, before the
    sigmoid's derivative: Ng's ``delta2 = (W2^T delta3 + lam (-rho/rho_hat + (1-rho)/(1-rho_hat))) f'(z2)``.
    """
    X = float_array(X, "X", ndim=2)
    k, epochs, batch_size = positive_int(k, "k"), positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    lr = finite_float(lr, "lr", low=0.0, low_open=True)
    rng = as_generator(rng)
    d = X.shape[1]
    encoder = Sequential(Linear(d, k, rng=rng), Sigmoid())
    decoder = Sequential(Linear(k, d, rng=rng), Sigmoid())
    loss, sparsity = MSELoss(), KLSparsity(rho=rho, lam=lam)
    optimizer = Adam(encoder.parameters() + decoder.parameters(), lr=lr)
    losses, penalties = [], []
    for _ in range(epochs):
        for batch in np.array_split(rng.permutation(len(X)), max(1, len(X) // batch_size)):
            optimizer.zero_grad()
            a = encoder(X[batch])
            loss(decoder(a), X[batch])
            sparsity(a)
            encoder.backward(decoder.backward(loss.backward()) + sparsity.backward())
            optimizer.step()
        a = encoder(X)
        losses.append(loss(decoder(a), X))
        penalties.append(sparsity(a))
    return SparseAutoencoderRun(encoder=encoder, decoder=decoder, filters=encoder.layers[0].W.data.T.copy(),
                                rho_hat=encoder(X).mean(axis=0), loss=losses, penalty=penalties)
