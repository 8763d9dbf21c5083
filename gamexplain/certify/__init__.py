"""Independent checks of certificates: the code every ``verify`` runs.

This package sits beside the algorithms, not on top of them: it imports the model's data
types and :mod:`gamexplain.errors` only, never :mod:`gamexplain.algorithms`,
:mod:`gamexplain.exact` or the model's own exact evaluation. Its pieces:

- :mod:`~gamexplain.certify.numbers`: exact numbers and rigorous sign decisions;
- :mod:`~gamexplain.certify.evaluate`: a second, plain evaluator of scores and classes;
- one module per query family with the checks its results run.

Every check is bounded: a certificate that would take more than :data:`MAX_CHECK_POINTS`
points to re-check is rejected with :class:`CertificateTooLargeError` before any work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from gamexplain.certify.evaluate import (
    contribution,
    covering,
    in_domain,
    label,
    model_digest,
    pair_value,
    prediction,
    same_prediction,
    score,
)
from gamexplain.certify.numbers import Number, compare, enclose, exact_number, sign
from gamexplain.errors import CertificateError, CertificateTooLargeError, GamExplainError

__all__ = [
    "MAX_CHECK_POINTS",
    "CertificateError",
    "CertificateTooLargeError",
    "Number",
    "check_size",
    "checked",
    "compare",
    "contribution",
    "covering",
    "enclose",
    "exact_number",
    "in_domain",
    "label",
    "model_digest",
    "pair_value",
    "prediction",
    "same_prediction",
    "score",
    "sign",
]

MAX_CHECK_POINTS = 200_000
"""The most points (completions, table cells, partial sums) one check may visit."""

F = TypeVar("F", bound=Callable[..., bool])

# what a malformed certificate can raise inside a check; each means "not what it claims"
_MALFORMED = (
    TypeError,
    AttributeError,
    ValueError,
    KeyError,
    IndexError,
    ArithmeticError,
    RecursionError,
    MemoryError,
)


def checked(check: F) -> F:
    """Make a ``verify`` answer False on a malformed certificate instead of raising.

    gamexplain's own errors (a certificate too large to check, say) pass through, so
    ``verify`` raises nothing else.
    """

    @functools.wraps(check)
    def guarded(*args: Any, **kwargs: Any) -> bool:
        try:
            return bool(check(*args, **kwargs))
        except GamExplainError as error:
            if isinstance(error, CertificateError):
                return False
            raise
        except _MALFORMED:
            return False

    return guarded  # type: ignore[return-value]


def check_size(points: int, what: str) -> None:
    """Raise :class:`CertificateTooLargeError` when a check would visit too many points."""
    if points > MAX_CHECK_POINTS:
        raise CertificateTooLargeError(
            f"re-checking {what} would visit {points} points, more than the "
            f"{MAX_CHECK_POINTS} a check may; the certificate is rejected unexpanded"
        )
