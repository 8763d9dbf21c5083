"""Batches beyond one machine's memory: Dask partitions and files read chunk by chunk.

* :func:`explain_dask` runs :func:`~gamexplain.queries.batch.explain` on every partition
  of a Dask DataFrame, lazily, on whatever scheduler the caller gives (a
  ``distributed.Client``, a scheduler's address, or Dask's current default). The model
  is sent to the workers once (``client.scatter(..., broadcast=True)``) and every
  partition task refers to that one copy. The result is a lazy Dask DataFrame of the
  per-row tables (:attr:`BatchResult.table`), feature lists as ``|``-joined strings.
* :func:`explain_file` streams a CSV or Parquet file through the batch kernels in chunks
  of ``chunk_rows`` rows, writing each chunk's table to the output file before reading
  the next, so memory stays bounded by a chunk whatever the size of the file; with a
  client, the chunks become partitions of a Dask DataFrame instead.

Dask, distributed and pyarrow are the ``dask`` extra; they are imported here lazily.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gamexplain.errors import InvalidInstanceError, InvalidParameterError, SolverUnavailableError
from gamexplain.queries.batch import PATHS, BatchResult, explain

__all__ = ["FileSummary", "explain_dask", "explain_file", "flat_table"]


def _dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as error:
        raise SolverUnavailableError(
            "explaining on Dask needs the dask extra: pip install 'gamexplain[dask]'"
        ) from error
    return dd


def flat_table(result: BatchResult, offset: int = 0) -> Any:
    """The result's :meth:`~gamexplain.queries.batch.BatchResult.frame` with a ``row``
    column numbering the rows from ``offset``."""
    table = result.frame(flat=True)
    table.insert(0, "row", np.arange(offset, offset + len(table)))
    return table


def _partition(frame: Any, gam: Any, queries: Sequence[str], options: dict[str, Any]) -> Any:
    """One partition's flat table (runs on a worker)."""
    table = flat_table(explain(gam, frame, queries, **options))
    table.index = frame.index
    return table.drop(columns="row")


def _meta(gam: Any, queries: Sequence[str], options: dict[str, Any]) -> Any:
    """The columns and dtypes of a partition's table, from one row of the domain."""
    import pandas as pd

    row = {f.name: [_inside(f)] for f in gam.features}
    sample = _partition(pd.DataFrame(row), gam, queries, {**options, "errors": "skip"})
    return sample.iloc[:0]


def _inside(feature: Any) -> Any:
    domain = feature.domain
    return domain.values[0] if domain.kind == "finite" else float(domain.low)


def explain_dask(
    gam: Any,
    X: Any,
    queries: Sequence[str],
    *,
    client: Any = None,
    scheduler: str | None = None,
    npartitions: int | None = None,
    **options: Any,
) -> Any:
    """The batch tables of every partition of ``X``, as a lazy Dask DataFrame.

    Parameters
    ----------
    gam : GAM
    X : Dask DataFrame, pandas DataFrame or 2-D array
        A pandas DataFrame or an array is split into ``npartitions`` partitions (by
        default two per worker of the client).
    queries : sequence of str
    client : distributed.Client, optional
    scheduler : str, optional
        A scheduler's address; a client is opened on it (and stays open with the result).
    **options
        As in :func:`~gamexplain.queries.batch.explain`.

    Notes
    -----
    Each partition costs what :func:`~gamexplain.queries.batch.explain` costs on it; the
    model travels to each worker once.
    """
    dd = _dask()
    import pandas as pd

    if client is None and scheduler is not None:
        from distributed import Client

        client = Client(scheduler)
    if not type(X).__module__.startswith("dask"):
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(
            np.asarray(X), columns=list(gam.feature_names)
        )  # fmt: skip
        workers = len(client.scheduler_info()["workers"]) if client is not None else 1
        X = dd.from_pandas(frame, npartitions=npartitions or max(2 * workers, 1))
    meta = _meta(gam, queries, options)
    model: Any = gam
    if client is not None:
        model = client.scatter(gam, broadcast=True, hash=False)
    return X.map_partitions(_partition, model, tuple(queries), options, meta=meta)


# -- files ------------------------------------------------------------------------------
@dataclass
class FileSummary:
    """What a run over a file did.

    Attributes
    ----------
    rows : int
        Rows read.
    seconds : float
    paths : dict of str to dict of str to int
        Per query, the rows per path (vector, exact, row, failed).
    failures : dict of int to str
        Row number (from 0, in file order) to why it failed.
    """

    rows: int = 0
    seconds: float = 0.0
    paths: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")

    @property
    def exact_path_rows(self) -> int:
        """Rows redone in exact arithmetic by the single-row query (all queries)."""
        return sum(p.get("exact", 0) for p in self.paths.values())

    def add(self, result: BatchResult, offset: int) -> None:
        self.rows += len(result)
        for query, counts in result.counts().items():
            mine = self.paths.setdefault(query, dict.fromkeys(PATHS, 0))
            for path, count in counts.items():
                mine[path] += count
        self.failures.update({offset + r: why for r, why in result.failures.items()})

    def jsonable(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "seconds": self.seconds,
            "rows_per_second": self.rows_per_second,
            "exact_path_rows": self.exact_path_rows,
            "paths": self.paths,
            "failures": {str(r): why for r, why in self.failures.items()},
        }

    def __str__(self) -> str:
        rate = self.rows_per_second
        shown = f"{rate:,.0f}" if rate >= 100 else f"{rate:.3g}"
        lines = [
            f"{self.rows} rows in {self.seconds:.2f} s ({shown} rows/s); "
            f"{self.exact_path_rows} exact-path rows; {len(self.failures)} failures"
        ]
        for query, counts in self.paths.items():
            lines.append(f"  {query}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        for row, why in list(self.failures.items())[:20]:
            lines.append(f"  row {row}: {why}")
        if len(self.failures) > 20:
            lines.append(f"  ... and {len(self.failures) - 20} more failures")
        return "\n".join(lines)


def _numbers(gam: Any, frame: Any) -> Any:
    """A CSV chunk whose numeric features are numbers: a column that a bad value turned
    into text is read as numbers again, the bad values kept as they are (so the row is
    reported with its value)."""
    import pandas as pd

    for feature in gam.features:
        name = feature.name
        numeric = feature.domain.kind != "finite" or feature.domain.is_numeric
        if numeric and name in frame and not pd.api.types.is_numeric_dtype(frame[name]):
            parsed = pd.to_numeric(frame[name], errors="coerce")
            frame[name] = parsed.astype(object).where(parsed.notna(), frame[name])
    return frame


def _chunks(gam: Any, path: Path, chunk_rows: int) -> Iterator[Any]:
    """The file's rows as pandas DataFrames of at most ``chunk_rows`` rows."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        # one row group at a time, dropped before the next is read
        source = pq.ParquetFile(path)
        for group in range(source.num_row_groups):
            table = source.read_row_group(group)
            for batch in table.to_batches(max_chunksize=chunk_rows):
                yield batch.to_pandas()
            del table
    elif suffix == ".csv":
        for chunk in pd.read_csv(path, chunksize=chunk_rows):
            yield _numbers(gam, chunk)
    else:
        raise InvalidParameterError(f"{path}: rows are read from .csv or .parquet files")


def count_rows(path: Path) -> int | None:
    """The number of rows of a Parquet file from its footer (None for a CSV)."""
    if path.suffix.lower() != ".parquet":
        return None
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


class _Writer:
    """Appends tables to a .parquet, .csv or .jsonl file."""

    def __init__(self, path: Path | None) -> None:
        self.path, self.first = path, True
        self.parquet: Any = None
        if path is not None and path.suffix.lower() not in (".parquet", ".csv", ".jsonl"):
            raise InvalidParameterError(f"{path}: results are written to .parquet, .csv or .jsonl")

    def write(self, table: Any) -> None:
        if self.path is None:
            table.to_csv(sys.stdout, header=self.first, index=False)
            self.first = False
            return
        suffix = self.path.suffix.lower()
        if suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            arrow = pa.Table.from_pandas(table, preserve_index=False)
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(self.path, arrow.schema)
            self.parquet.write_table(arrow.cast(self.parquet.schema))
        elif suffix == ".csv":
            table.to_csv(self.path, mode="w" if self.first else "a", header=self.first, index=False)
        else:
            with open(self.path, "w" if self.first else "a", encoding="utf-8") as out:
                table.to_json(out, orient="records", lines=True)
        self.first = False

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()


def explain_file(
    gam: Any,
    path: Path | str,
    queries: Sequence[str],
    *,
    out: Path | str | None = None,
    chunk_rows: int = 100_000,
    progress: Callable[[int], None] | None = None,
    client: Any = None,
    **options: Any,
) -> FileSummary:
    """Explain every row of a CSV or Parquet file, chunk by chunk, in bounded memory.

    Parameters
    ----------
    gam : GAM
    path : path
        A ``.csv`` file whose header names the features, or a ``.parquet`` file.
    queries : sequence of str
        As in :func:`~gamexplain.queries.batch.explain`.
    out : path, optional
        Where the per-row tables go: ``.parquet``, ``.csv`` or ``.jsonl``.
    chunk_rows : int
        Rows per chunk (each chunk is one batch; memory grows with it).
    progress : callable, optional
        Called with the number of rows of each chunk done (a progress bar's ``update``).
    client : distributed.Client, optional
        Explain the chunks as partitions on this client's workers, in file order.
    **options
        As in :func:`~gamexplain.queries.batch.explain` (``errors="skip"`` reports bad
        rows in the summary and goes on).

    Returns
    -------
    FileSummary
    """
    path = Path(path)
    if not path.exists():
        raise InvalidParameterError(f"{path}: no such file")
    if not (isinstance(chunk_rows, int) and chunk_rows > 0):
        raise InvalidParameterError(f"chunk_rows must be a positive integer. Got {chunk_rows!r}.")
    writer = _Writer(None if out is None else Path(out))
    summary = FileSummary()
    started = time.perf_counter()
    try:
        results = (
            _local(gam, path, queries, chunk_rows, options)
            if client is None
            else _on_client(gam, path, queries, chunk_rows, options, client)
        )
        offset = 0
        for result in results:
            writer.write(flat_table(result, offset))
            summary.add(result, offset)
            offset += len(result)
            if progress is not None:
                progress(len(result))
    finally:
        writer.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _local(
    gam: Any, path: Path, queries: Sequence[str], chunk_rows: int, options: dict[str, Any]
) -> Iterator[BatchResult]:
    offset = 0
    for chunk in _chunks(gam, path, chunk_rows):
        try:
            yield explain(gam, chunk, queries, **options)
        except InvalidInstanceError as error:
            # the message counts rows from the chunk's first; say where that is
            raise InvalidInstanceError(f"{path}, rows from {offset} on: {error}") from None
        offset += len(chunk)


@contextlib.contextmanager
def table_run(
    path: Path, workers: int | None, scheduler: str | None, progress: bool
) -> Iterator[tuple[Any, Callable[[int], Any] | None]]:
    """The client (a local cluster of ``workers`` single-threaded processes, or one on
    ``scheduler``; None for neither) and a progress bar's ``update`` (tqdm on standard
    error, shown once a run lasts a second) for a command-line run over a file."""
    with contextlib.ExitStack() as stack:
        client = None
        if workers is not None or scheduler is not None:
            if workers is not None and workers < 1:
                raise InvalidParameterError(f"--workers must be at least 1. Got {workers}.")
            _dask()
            from distributed import Client, LocalCluster

            if workers is not None:
                cluster = stack.enter_context(
                    LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
                )
                client = stack.enter_context(Client(cluster))
            else:
                client = stack.enter_context(Client(scheduler))
        update = None
        if progress:
            from tqdm import tqdm

            bar = stack.enter_context(
                tqdm(total=count_rows(path), unit=" rows", delay=1.0, file=sys.stderr)
            )
            update = bar.update
        yield client, update


def _on_client(
    gam: Any, path: Path, queries: Sequence[str], chunk_rows: int, options: dict[str, Any],
    client: Any,
) -> Iterator[BatchResult]:  # fmt: skip
    """Chunks explained on the workers, a few in flight at a time, yielded in file order
    (each comes back without its rows, which the caller has already)."""
    model = client.scatter(gam, broadcast=True, hash=False)
    window = 2 * max(len(client.scheduler_info()["workers"]), 1)
    pending: list[Any] = []
    for chunk in _chunks(gam, path, chunk_rows):
        pending.append(client.submit(_slim, model, chunk, tuple(queries), options, pure=False))
        if len(pending) >= window:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


def _slim(gam: Any, chunk: Any, queries: Sequence[str], options: dict[str, Any]) -> BatchResult:
    """A chunk's result without its rows and single-row results, for the trip back."""
    result = explain(gam, chunk, queries, **options)
    light = {q: dataclasses.replace(a, results={}) for q, a in result.answers.items()}
    return dataclasses.replace(result, instances=result.instances[:, :0], answers=light)
