"""The public queries, one module per query family."""

from gamexplain.queries.redundancy import RedundancyResult, is_redundant

__all__ = ["RedundancyResult", "is_redundant"]
