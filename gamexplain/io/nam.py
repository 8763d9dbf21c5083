"""Neural additive models (NAM) and neural basis models (NBM) as exact ReLU networks.

A NAM gives each feature its own one-input MLP; an NBM shares one basis network
b: R → R^K across features and mixes its outputs per feature, f_i = Σ_k a_ik·b_k. Both
become :class:`~gamexplain.model.shapes.ReLUNet` shapes without changing any weight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from gamexplain.errors import InvalidParameterError, UnsupportedModelError
from gamexplain.io import kit
from gamexplain.model.domains import Domain
from gamexplain.model.gam import GAM, Feature
from gamexplain.model.shapes import Layer, ReLUNet
from gamexplain.model.task import Regression, Task

__all__ = ["from_nam", "from_nbm"]

Domains: TypeAlias = "Sequence[Domain] | Mapping[str | int, Domain]"


def from_nam(
    nets: Sequence[Any],
    *,
    domains: Domains | None = None,
    X: ArrayLike | None = None,
    intercept: float = 0.0,
    task: Task | None = None,
    names: Sequence[str] | None = None,
    tolerance: float = 0.0,
) -> GAM:
    """A GAM whose feature i is the one-input ReLU network ``nets[i]``.

    Parameters
    ----------
    nets : sequence
        One per feature, each a list of ``(weights, bias)`` pairs or :class:`Layer`
        (``weights`` is inputs × outputs), a fitted scikit-learn ``MLPRegressor`` or
        binary ``MLPClassifier`` with ``activation="relu"`` (a classifier contributes
        its logit), or a PyTorch ``nn.Sequential`` of ``Linear`` and ``ReLU``.
    domains : sequence of Domain, or mapping of feature name or position to Domain
        A network carries no range of its own: give one domain per feature, or a
        mapping for some of them and the training data ``X`` for the rest.
    X : array-like of shape (n_samples, n_features), optional
        Training data. A feature without a given domain takes its observed range:
        ``Integers(min, max)`` when every value in its column is a whole number,
        ``Interval(min, max)`` otherwise. No ``Finite`` domain is ever inferred (a
        sample shows which values occurred, not which can), so categorical codes
        need ``domains``. A network scores rows beyond that range too; explaining one
        there raises ``UnsupportedModelError`` (its marginal cannot be kept on a wider
        domain; see :meth:`~gamexplain.GAM.covering`): give a wider domain instead.
    intercept : float
    task : Regression or Classification, default Regression(tolerance)
    names : sequence of str or DataFrame, optional
        A DataFrame gives its column names; default ``x0``, ``x1``, ….
    tolerance : float, default 0.0
        **Set it for a regression.** Sufficient and contrastive reasons of a regression
        keep the score within ``tolerance`` of f(x); at the default 0 they must pin the
        score exactly, so on a fitted regressor the sufficient reason is nearly always
        every feature. The same as ``task=Regression(tolerance)``;
        a ``Classification`` task takes none.

    Raises
    ------
    InvalidParameterError
        A feature with neither a given domain nor training data, or a bad ``X``,
        ``domains`` or ``names``; a negative or NaN ``tolerance``, a non-zero one with
        a ``Classification`` task, or one that differs from the ``task``'s own.

    Notes
    -----
    Linear in the number of weights plus the size of ``X`` (``thm:relu-compile`` for
    what follows).

    Examples
    --------
    >>> gam = from_nam([[([[1.0]], [0.0])]], X=[[0], [3], [7]])
    >>> gam.features[0].domain
    Integers(low=0, high=7)
    >>> from_nam([[([[1.0]], [0.0])]], X=[[0], [3], [7]], tolerance=0.5).task
    Regression(tolerance=0.5)
    """
    chosen = kit.with_tolerance(task or Regression(), tolerance, "from_nam")
    return _gam(nets, domains, X, intercept, chosen, names, "from_nam")


def _gam(
    nets: Sequence[Any],
    domains: Domains | None,
    X: ArrayLike | None,
    intercept: float,
    task: Task,
    names: Sequence[str] | None,
    caller: str,
) -> GAM:
    nets = list(nets)
    labels = kit.feature_names(names, kit.default_names(len(nets)), caller)
    chosen = _domains(domains, X, labels, caller)
    features = [
        Feature(label, domain, ReLUNet(_layers(net, f"nets[{i}]")))
        for i, (label, domain, net) in enumerate(zip(labels, chosen, nets, strict=True))
    ]
    return GAM(features=features, intercept=intercept, task=task)


def from_nbm(
    basis: Any,
    coefficients: Any,
    *,
    domains: Domains | None = None,
    X: ArrayLike | None = None,
    intercept: float = 0.0,
    task: Task | None = None,
    names: Sequence[str] | None = None,
    tolerance: float = 0.0,
) -> GAM:
    """A GAM with f_i(x) = Σ_k a_ik·b_k(x) for a shared basis network b.

    Parameters
    ----------
    basis : network
        One input, K outputs, in any form :func:`from_nam` accepts.
    coefficients : array-like of shape (n_features, K)
        a_ik.
    domains, X, intercept, task, names, tolerance
        As in :func:`from_nam`; set ``tolerance`` for a regression.

    Notes
    -----
    The mix is built without rounding: the basis's last layer is doubled into
    [W, −W] with biases [c, −c], and f_i = Σ_k a_ik·(ReLU(b_k) − ReLU(−b_k)), which
    equals Σ_k a_ik·b_k exactly because z = ReLU(z) − ReLU(−z). No product of two
    float weights is ever formed.
    """
    chosen = kit.with_tolerance(task or Regression(), tolerance, "from_nbm")
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
    return _gam(nets, domains, X, intercept, chosen, names, "from_nbm")


def _domains(
    domains: Domains | None, X: ArrayLike | None, names: tuple[str, ...], caller: str
) -> list[Domain]:
    """Given domains first, then the observed ranges of ``X``."""
    if domains is not None and not isinstance(domains, Mapping):
        listed = list(domains)
        if len(listed) != len(names):
            raise InvalidParameterError(
                f"The 'domains' parameter of {caller} must hold {len(names)} domains, one "
                f"per network. Got {len(listed)} instead."
            )
        domains = dict(enumerate(listed))
    given = kit.positions(domains, names, caller)
    if X is not None:
        observed = kit.domains_from_data(X, len(names), caller)
        return [given.get(i, observed[i]) for i in range(len(names))]
    why = "is a network without training data X"
    return [kit.required_domain(given, i, name, why) for i, name in enumerate(names)]


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
