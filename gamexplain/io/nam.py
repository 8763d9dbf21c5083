"""Neural additive models (NAM) and neural basis models (NBM) as exact ReLU networks.

A NAM gives each feature its own one-input MLP; an NBM shares one basis network
b: R → R^K across features and mixes its outputs per feature, f_i = Σ_k a_ik·b_k. Both
become :class:`~gamexplain.model.shapes.ReLUNet` shapes without changing any weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from gamexplain.errors import InvalidParameterError, UnsupportedModelError
from gamexplain.model.domains import Domain
from gamexplain.model.gam import GAM, Feature
from gamexplain.model.shapes import Layer, ReLUNet
from gamexplain.model.task import Regression, Task

__all__ = ["from_nam", "from_nbm"]


def from_nam(
    nets: Sequence[Any],
    *,
    domains: Sequence[Domain],
    intercept: float = 0.0,
    task: Task | None = None,
    names: Sequence[str] | None = None,
) -> GAM:
    """A GAM whose feature i is the one-input ReLU network ``nets[i]``.

    Parameters
    ----------
    nets : sequence
        One per feature, each a list of ``(weights, bias)`` pairs or :class:`Layer`
        (``weights`` is inputs × outputs), a fitted scikit-learn ``MLPRegressor`` or
        binary ``MLPClassifier`` with ``activation="relu"`` (a classifier contributes
        its logit), or a PyTorch ``nn.Sequential`` of ``Linear`` and ``ReLU``.
    domains : sequence of Domain
        One per feature (a network carries no range of its own).
    intercept : float
    task : Regression or Classification, default Regression()
    names : sequence of str, optional

    Notes
    -----
    Linear in the number of weights (``thm:relu-compile`` for what follows).
    """
    nets = list(nets)
    labels = _names(names, len(nets))
    if len(domains) != len(nets):
        raise InvalidParameterError(f"{len(nets)} networks need {len(nets)} domains")
    features = [
        Feature(label, domain, ReLUNet(_layers(net, f"nets[{i}]")))
        for i, (label, domain, net) in enumerate(zip(labels, domains, nets, strict=True))
    ]
    return GAM(features=features, intercept=intercept, task=task or Regression())


def from_nbm(
    basis: Any,
    coefficients: Any,
    *,
    domains: Sequence[Domain],
    intercept: float = 0.0,
    task: Task | None = None,
    names: Sequence[str] | None = None,
) -> GAM:
    """A GAM with f_i(x) = Σ_k a_ik·b_k(x) for a shared basis network b.

    Parameters
    ----------
    basis : network
        One input, K outputs, in any form :func:`from_nam` accepts.
    coefficients : array-like of shape (n_features, K)
        a_ik.
    domains, intercept, task, names
        As in :func:`from_nam`.

    Notes
    -----
    The mix is built without rounding: the basis's last layer is doubled into
    [W, −W] with biases [c, −c], and f_i = Σ_k a_ik·(ReLU(b_k) − ReLU(−b_k)), which
    equals Σ_k a_ik·b_k exactly because z = ReLU(z) − ReLU(−z). No product of two
    float weights is ever formed.
    """
    layers = _layers(basis, "basis")
    a = np.asarray(coefficients, dtype=float)
    k = layers[-1].n_outputs
    if a.ndim != 2 or a.shape[1] != k:
        raise InvalidParameterError(
            f"coefficients must have shape (n_features, {k}), got {np.shape(coefficients)}"
        )
    last = layers[-1]
    doubled = Layer(
        [[*row, *(-w for w in row)] for row in last.weights], [*last.bias, *(-b for b in last.bias)]
    )
    nets = [
        [*layers[:-1], doubled, Layer([[v] for v in (*row, *(-v for v in row))], [0.0])]
        for row in a.tolist()
    ]
    return from_nam(nets, domains=domains, intercept=intercept, task=task, names=names)


def _names(names: Sequence[str] | None, n: int) -> list[str]:
    labels = list(names) if names is not None else [f"x{i}" for i in range(n)]
    if len(labels) != n:
        raise InvalidParameterError(f"{n} networks need {n} names, got {len(labels)}")
    return labels


def _layers(net: Any, where: str) -> list[Layer]:
    kind = type(net).__name__
    if kind in ("MLPRegressor", "MLPClassifier"):
        return _sklearn_layers(net, where)
    if hasattr(net, "named_children") or hasattr(net, "children"):
        return _torch_layers(net, where)
    try:
        return [
            layer if isinstance(layer, Layer) else Layer(*layer)
            for layer in net  # (weights, bias) pairs
        ]
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"{where}: expected a list of (weights, bias) layers, an MLP or a torch "
            f"Sequential, got {kind}"
        ) from exc


def _sklearn_layers(mlp: Any, where: str) -> list[Layer]:
    if mlp.activation != "relu":
        raise UnsupportedModelError(f"{where}: activation {mlp.activation!r} is not 'relu'")
    if mlp.n_features_in_ != 1:
        raise UnsupportedModelError(f"{where}: the MLP takes {mlp.n_features_in_} inputs, not 1")
    if type(mlp).__name__ == "MLPClassifier" and mlp.n_outputs_ != 1:
        raise UnsupportedModelError(f"{where}: only a binary MLPClassifier has one logit")
    return [
        Layer(np.asarray(w, dtype=float).tolist(), np.asarray(b, dtype=float).tolist())
        for w, b in zip(mlp.coefs_, mlp.intercepts_, strict=True)
    ]


def _torch_layers(module: Any, where: str) -> list[Layer]:
    """Linear / ReLU modules in order, read duck-typed (torch is never imported)."""
    layers: list[Layer] = []
    expect_linear = True
    for child in module.children():
        kind = type(child).__name__
        if kind == "Linear" and expect_linear:
            weight = child.weight.detach().cpu().double().numpy()
            bias = (
                child.bias.detach().cpu().double().numpy()
                if child.bias is not None
                else np.zeros(weight.shape[0])
            )
            layers.append(Layer(weight.T.tolist(), bias.tolist()))
            expect_linear = False
        elif kind == "ReLU" and not expect_linear:
            expect_linear = True
        else:
            raise UnsupportedModelError(
                f"{where}: expected alternating Linear and ReLU modules, got {kind}"
            )
    if expect_linear:
        raise UnsupportedModelError(f"{where}: the network must end with a Linear module")
    return layers
