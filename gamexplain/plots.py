"""Plots of gamexplain's results, drawn with matplotlib (the optional ``plot`` extra).

The result classes hand this module plain numbers and names, and their ``plot`` methods
import it lazily, so gamexplain itself never needs matplotlib; without it a plot raises
:class:`~gamexplain.errors.SolverUnavailableError` (an ``ImportError``) naming the extra
to install. Every function draws on ``ax`` (a new figure's axes when None) and returns it.

Attributions are drawn as horizontal bars (largest first) or as a waterfall from the base
value to the explained output; bounds that are not exact are shown as error bars. Reasons
show every feature's contribution at x, the kept or changed ones in colour, and for a
contrastive reason the contribution at the witness next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gamexplain.errors import InvalidParameterError, SolverUnavailableError

__all__ = [
    "attribution_plot",
    "completion_plot",
    "heatmap_plot",
    "reason_plot",
    "responsiveness_plot",
    "scaling_plot",
]

KEPT, CHANGED, OTHER, WITNESS = "tab:blue", "tab:red", "lightgray", "tab:orange"


def _axes(ax: Any) -> Any:
    """``ax``, or the axes of a new figure."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as missing:
        raise SolverUnavailableError(
            "plotting needs matplotlib, the optional 'plot' extra: pip install 'gamexplain[plot]'"
        ) from missing
    return plt.subplots()[1]


def attribution_plot(
    values: Sequence[float], lower: Sequence[float], upper: Sequence[float],
    names: Sequence[str], *, base: float, exact: bool, title: str, kind: str = "bar",
    max_display: int = 20, ax: Any = None,
) -> Any:  # fmt: skip
    """Bars (``kind="bar"``) or a waterfall (``kind="waterfall"``) of per-feature values.

    The ``max_display`` largest in absolute value are drawn, one bar each; in a waterfall
    the rest are summed into one bar. When not ``exact`` the certified brackets
    [lower, upper] are drawn as error bars.
    """
    if kind not in ("bar", "waterfall"):
        raise InvalidParameterError(
            f"The 'kind' parameter of plot must be one of {{'bar', 'waterfall'}}. Got {kind!r}."
        )
    order = sorted(range(len(values)), key=lambda i: -abs(values[i]))
    shown, rest = order[:max_display], order[max_display:]
    ax = _axes(ax)
    labels = [names[i] for i in shown]
    widths = [values[i] for i in shown]
    errors = None
    if not exact:
        errors = [[values[i] - lower[i] for i in shown], [upper[i] - values[i] for i in shown]]
    if kind == "bar":
        colours = [CHANGED if w >= 0 else KEPT for w in widths]
        ax.barh(range(len(shown)), widths, xerr=errors, color=colours, capsize=3)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("value")
    else:
        if rest:
            labels.append(f"{len(rest)} other features")
            widths.append(sum(values[i] for i in rest))
            if errors is not None:
                errors[0].append(sum(values[i] - lower[i] for i in rest))
                errors[1].append(sum(upper[i] - values[i] for i in rest))
        starts, running = [], base
        for w in widths:
            starts.append(running)
            running += w
        colours = [CHANGED if w >= 0 else KEPT for w in widths]
        ax.barh(range(len(widths)), widths, left=starts, xerr=errors, color=colours, capsize=3)
        ax.axvline(base, color="gray", linestyle="--", linewidth=0.8)
        ax.set_xlabel(f"output (base value {base:.4g}, explained {running:.4g})")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_title(title)
    return ax


def reason_plot(
    names: Sequence[str], contributions: Sequence[float], marked: Sequence[bool], *,
    mark: str, title: str, witness: Sequence[float] | None = None, ax: Any = None,
) -> Any:  # fmt: skip
    """Every feature's contribution at x, the reason's features (``marked``) in colour
    and labelled ``mark`` ("kept" or "changed"); with ``witness``, the contributions at
    the witness beside those of the changed features."""
    ax = _axes(ax)
    rows = range(len(names))
    colour = KEPT if mark == "kept" else CHANGED
    colours = [colour if m else OTHER for m in marked]
    height = 0.4 if witness else 0.8
    ax.barh(rows, contributions, height=height, color=colours, label=f"at x ({mark} in colour)")
    if witness is not None:
        moved = [i for i in rows if marked[i]]
        ax.barh([i + 0.4 for i in moved], [witness[i] for i in moved], height=0.4,
                color=WITNESS, label="at the witness")  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(rows, [f"{n} ({mark})" if m else n for n, m in zip(names, marked, strict=True)])
    ax.invert_yaxis()
    ax.set_xlabel("contribution to the score")
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def completion_plot(
    fraction: float, lower: float, upper: float, *, title: str, ax: Any = None
) -> Any:
    """One bar: the share of completions that keep the prediction, with its bracket."""
    ax = _axes(ax)
    ax.barh([0], [fraction], xerr=[[fraction - lower], [upper - fraction]], color=KEPT,
            capsize=4)  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_yticks([0], ["kept"])
    ax.set_xlabel("share of completions keeping the prediction")
    ax.set_title(title)
    return ax


def scaling_plot(
    sizes: Sequence[int], work: Sequence[float], *, title: str, label: str, ax: Any = None
) -> Any:
    """Measured work against instance size, on a log scale, with the fit named."""
    ax = _axes(ax)
    ax.plot(sizes, work, marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("size")
    ax.set_ylabel("work (algorithm steps)")
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def heatmap_plot(
    values: Any, rows: Sequence[str], columns: Sequence[str], title: str, ax: Any = None
) -> Any:
    """A rows × columns heatmap of ``values`` (regions × features for R-LOCO), with a
    colour bar; returns the axes."""
    ax = _axes(ax)
    image = ax.imshow(values, aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(columns)), list(columns), rotation=90)
    ax.set_yticks(range(len(rows)), list(rows))
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax)
    return ax


def responsiveness_plot(
    names: Sequence[str], scores: Sequence[float], *, title: str, ax: Any = None
) -> Any:
    """Horizontal bars of responsiveness scores in [0, 1], the first name on top."""
    ax = _axes(ax)
    rows = list(range(len(names)))[::-1]
    ax.barh(rows, scores, color=CHANGED)
    ax.set_yticks(rows, labels=list(names))
    ax.set_xlim(0, 1)
    ax.set_xlabel("responsiveness (share of reachable points that attain the target)")
    ax.set_title(title)
    return ax
