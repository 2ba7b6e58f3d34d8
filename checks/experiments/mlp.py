"""A one-hidden-layer MLP in NumPy, trained by Async-MSGD, many independent runs at once (C13).

The update is the poster's Async-MSGD for a loss (THEORY.md C13; eq. (5)'s pattern):
``theta_{k+1} = theta_k + mu (theta_k - theta_{k-1}) - eta_k grad l(batch_k; theta_{k - tau_k})``,
with history theta_{-i} = theta_0 (the first update has no momentum) and the delays tau_k of a
parameter server (:func:`simulate.delays.ps_delays`: W workers, each computing its gradient at
the parameters it read, so tau_k is the number of updates applied since that read; mean W - 1).

Network: input d -> ``hidden`` ReLU units -> classes, softmax cross-entropy averaged over the
minibatch, no weight decay. Initialisation: He-normal first layer, Glorot-normal second, zero
biases. Each run r owns its parameters (a flat vector, so momentum and stale reads act on one
array), its initialisation and minibatch stream and its delay sequence; runs are advanced
together (the batched matrix products compute every run's slice separately, so a run's numbers
do not depend on the others). The stale parameters come from a ring buffer of the last
max(tau) + 1 iterates. A run whose loss or parameters become non-finite, or whose loss exceeds
``DIVERGED_LOSS``, is frozen at its last finite parameters and marked diverged.

Learning-rate schedule (the paper's, scaled to the run): eta divided by 5 after 30%, 60% and
80% of the updates (the paper: after epochs 60, 120, 160 of 200).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory.validation import ParameterError, check_eta, check_mu, check_positive_int

DIVERGED_LOSS = 1e3
DECAY_AT = (0.3, 0.6, 0.8)
DECAY_FACTOR = 0.2


@dataclass(frozen=True)
class Dataset:
    """A classification split: features (n, d) float, labels (n,) int in 0..classes-1."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    classes: int

    @property
    def d(self) -> int:
        return int(self.x_train.shape[1])


@dataclass(frozen=True)
class Shapes:
    """The flat parameter layout: W1 (d, h), b1 (h), W2 (h, c), b2 (c)."""

    d: int
    hidden: int
    classes: int

    @property
    def sizes(self) -> tuple[int, int, int, int]:
        return (self.d * self.hidden, self.hidden, self.hidden * self.classes, self.classes)

    @property
    def size(self) -> int:
        return sum(self.sizes)

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        """Views (runs, ...) of W1, b1, W2, b2 in a (runs, size) array."""
        r = theta.shape[0]
        a, b, c, _ = np.cumsum(self.sizes)
        return (
            theta[:, :a].reshape(r, self.d, self.hidden),
            theta[:, a:b],
            theta[:, b:c].reshape(r, self.hidden, self.classes),
            theta[:, c:],
        )


def init_params(shapes: Shapes, rngs: list[np.random.Generator]) -> np.ndarray:
    """He-normal W1, Glorot-normal W2, zero biases; one generator per run."""
    out = np.zeros((len(rngs), shapes.size))
    w1, _, w2, _ = shapes.split(out)
    for i, g in enumerate(rngs):
        w1[i] = g.standard_normal((shapes.d, shapes.hidden)) * math.sqrt(2.0 / shapes.d)
        w2[i] = g.standard_normal((shapes.hidden, shapes.classes)) * math.sqrt(
            2.0 / (shapes.hidden + shapes.classes)
        )
    return out


def forward(shapes: Shapes, theta: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hidden pre-activations, logits) for inputs x (runs, n, d) or (n, d) shared."""
    # contiguous copies: matmul on strided views of the flat vector misses the BLAS path
    w1, b1, w2, b2 = (np.ascontiguousarray(a) for a in shapes.split(theta))
    z1 = np.matmul(x, w1) + b1[:, None, :]
    return z1, np.matmul(np.maximum(z1, 0.0), w2) + b2[:, None, :]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def loss_and_grad(
    shapes: Shapes, theta: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy per run (runs,) and its gradient (runs, size); x (runs, B, d),
    y (runs, B)."""
    w2 = np.ascontiguousarray(shapes.split(theta)[2])
    z1, z2 = forward(shapes, theta, x)
    logp = _log_softmax(z2)
    r, b = y.shape
    rows, cols = np.arange(r)[:, None], np.arange(b)[None, :]
    loss = -logp[rows, cols, y].mean(axis=1)
    dz2 = np.exp(logp)
    dz2[rows, cols, y] -= 1.0
    dz2 /= b
    a1 = np.maximum(z1, 0.0)
    grad = np.empty_like(theta)
    g1, gb1, g2, gb2 = shapes.split(grad)
    g2[:] = np.matmul(a1.transpose(0, 2, 1), dz2)
    gb2[:] = dz2.sum(axis=1)
    dz1 = np.matmul(dz2, w2.transpose(0, 2, 1)) * (z1 > 0.0)
    g1[:] = np.matmul(x.transpose(0, 2, 1), dz1)
    gb1[:] = dz1.sum(axis=1)
    return loss, grad


def accuracy(shapes: Shapes, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fraction of correct argmax predictions per run; x (n, d) shared by all runs."""
    _, z2 = forward(shapes, theta, x[None, :, :])
    return (z2.argmax(axis=-1) == y[None, :]).mean(axis=1)


def mean_loss(shapes: Shapes, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    _, z2 = forward(shapes, theta, x[None, :, :])
    return -_log_softmax(z2)[:, np.arange(y.size), y].mean(axis=1)


def step_sizes(eta: float, steps: int) -> np.ndarray:
    """eta_k for k = 0..steps-1: divided by 5 after 30%, 60% and 80% of the updates."""
    k = np.arange(steps)
    drops = sum((k >= round(f * steps)).astype(int) for f in DECAY_AT)
    return eta * DECAY_FACTOR**drops


def epoch_batches(rng: np.random.Generator, n: int, batch: int, steps: int) -> np.ndarray:
    """Minibatch indices (steps, batch): reshuffled every epoch, sampled without replacement
    within an epoch (a last partial batch is dropped)."""
    per = n // batch
    epochs = -(-steps // per)
    idx = np.concatenate([rng.permutation(n)[: per * batch] for _ in range(epochs)])
    return idx.reshape(-1, batch)[:steps]


@dataclass(frozen=True)
class TrainResult:
    """Per run: final validation accuracy and loss, training loss (full training set),
    divergence, the realised delays' mean and max, and the validation accuracy at checkpoints."""

    val_accuracy: np.ndarray
    val_loss: np.ndarray
    train_loss: np.ndarray
    diverged: np.ndarray
    delay_mean: np.ndarray
    delay_max: np.ndarray
    checkpoints: np.ndarray  # update counts
    val_accuracy_at: np.ndarray  # (runs, checkpoints)


def train(
    data: Dataset,
    *,
    mus: np.ndarray,
    delays: np.ndarray,
    batches: np.ndarray,
    init: np.ndarray,
    eta: float,
    hidden: int,
    checkpoints: int = 10,
) -> TrainResult:
    """Train ``len(mus)`` runs of Async-MSGD together.

    ``mus`` (runs,) momenta; ``delays`` (runs, steps) int, delays[r, k] <= k; ``batches``
    (runs, steps, B) minibatch indices into the training set; ``init`` (runs, size) the initial
    parameters (:func:`init_params`); ``eta`` the base step size (:func:`step_sizes`).
    """
    mus = np.asarray(mus, dtype=float)
    runs, steps = delays.shape
    for m in mus:
        check_mu(m)
    check_eta(eta)
    hidden = check_positive_int("hidden", hidden)
    shapes = Shapes(data.d, hidden, data.classes)
    if init.shape != (runs, shapes.size) or batches.shape[:2] != (runs, steps):
        raise ParameterError("init/batches", (init.shape, batches.shape), "one row per run")
    if np.any(delays < 0) or np.any(delays > np.arange(steps)[None, :]):
        raise ParameterError("delays", "out of range", "0 <= tau_k <= k (reads of v_0 at most)")
    cap = int(delays.max()) + 1
    hist = np.empty((cap, runs, shapes.size))
    theta = init.copy()
    prev = init.copy()
    hist[0] = theta
    alive = np.ones(runs, dtype=bool)
    etas = step_sizes(eta, steps)
    lanes = np.arange(runs)
    marks = set(np.linspace(0, steps, checkpoints + 1).round().astype(int)[1:].tolist())
    marks_sorted = sorted(marks)
    acc_at = np.full((runs, len(marks_sorted)), np.nan)
    for k in range(steps):
        stale = hist[(k - delays[:, k]) % cap, lanes]
        idx = batches[:, k]
        loss, grad = loss_and_grad(shapes, stale, data.x_train[idx], data.y_train[idx])
        new = theta + mus[:, None] * (theta - prev) - etas[k] * grad
        bad = ~(np.isfinite(loss) & (loss < DIVERGED_LOSS) & np.isfinite(new).all(axis=1))
        alive &= ~bad
        new[~alive] = theta[~alive]  # frozen at the last finite parameters
        prev, theta = np.where(alive[:, None], theta, prev), new
        hist[(k + 1) % cap] = theta
        if k + 1 in marks:
            acc_at[:, marks_sorted.index(k + 1)] = accuracy(shapes, theta, data.x_val, data.y_val)
    return TrainResult(
        val_accuracy=accuracy(shapes, theta, data.x_val, data.y_val),
        val_loss=mean_loss(shapes, theta, data.x_val, data.y_val),
        train_loss=mean_loss(shapes, theta, data.x_train, data.y_train),
        diverged=~alive,
        delay_mean=delays.mean(axis=1),
        delay_max=delays.max(axis=1),
        checkpoints=np.array(marks_sorted),
        val_accuracy_at=acc_at,
    )
