"""The exception hierarchy of gamexplain.

Every error raised on purpose by gamexplain derives from :class:`GamExplainError`, and
each subclass also derives from the builtin exception it refines, so that callers who
catch ``ValueError`` or ``ImportError`` keep working.
"""

from __future__ import annotations

__all__ = [
    "CertificateError",
    "CertificateTooLargeError",
    "GamExplainError",
    "InvalidInstanceError",
    "InvalidModelError",
    "InvalidParameterError",
    "PieceLimitError",
    "SolverUnavailableError",
    "TimeLimitError",
    "UnsupportedModelError",
    "UnsupportedQueryError",
]


class GamExplainError(Exception):
    """Base class of every error gamexplain raises on purpose."""


class InvalidModelError(GamExplainError, ValueError):
    """A model (object or file) violates the model contract.

    The message names the place of the fault; for model files it is the JSON path,
    e.g. ``features[2].shape.breakpoints``.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}" if path else message)

    def at(self, prefix: str) -> InvalidModelError:
        """The same fault, located below ``prefix`` (a JSON path or a feature's name)."""
        if not self.path:
            return InvalidModelError(self.reason, prefix)
        joiner = "" if self.path.startswith("[") else "."
        return InvalidModelError(self.reason, f"{prefix}{joiner}{self.path}")


class InvalidInstanceError(GamExplainError, ValueError):
    """An instance is of the wrong length, holds NaN, or leaves a feature's domain."""


class InvalidParameterError(GamExplainError, ValueError):
    """A parameter of a public function has a value outside its allowed set."""


class UnsupportedModelError(GamExplainError, ValueError):
    """The model given to an adapter is valid for its library but not an additive model
    gamexplain can represent exactly (for example a tensor term)."""


class UnsupportedQueryError(GamExplainError, ValueError):
    """The requested algorithm cannot answer the query in the model's complexity cell."""


class PieceLimitError(GamExplainError, ValueError):
    """Compiling a ReLU network to linear pieces would exceed the stated piece limit."""


class SolverUnavailableError(GamExplainError, ImportError):
    """An optional solver or model library needed by the requested path is not installed."""


class CertificateError(GamExplainError, ValueError):
    """A certificate holds something its check cannot read as what it claims to be."""


class CertificateTooLargeError(GamExplainError, ValueError):
    """A certificate is too large to re-check within the check's stated budget; it is
    rejected without being expanded."""


class TimeLimitError(GamExplainError, TimeoutError):
    """The time limit ran out before the query had anything it could certify.

    Queries that have partial answers (bounds, a subset-minimal reason, "undecided")
    return them with ``status="time_limit"`` instead; this is for the case where even
    the smallest certifiable answer needs more time.
    """
