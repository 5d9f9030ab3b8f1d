"""How well search finds the right entry: recall@1, recall@5 and MRR per mode, collection and
kind of query (colloquial, typo'd, English, DTC-only...).

recall@k is the share of queries with a relevant entry among the first k hits (what matters
to an agent who reads the first few suggestions); MRR is the mean of 1 / rank of the first
relevant hit within the first ``MRR_DEPTH`` (0 when there is none).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .search import Filters, KnowledgeBase
from .types import SEARCH_MODES, IngestProblem, SearchMode

#: The shipped evaluation queries (in the source tree, beside the benchmarks).
QUERIES_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "kb_queries"


def default_queries() -> list[Path]:
    """The shipped query files (one per collection)."""
    return sorted(QUERIES_DIR.glob("*.jsonl"))


MRR_DEPTH = 10


@dataclass(frozen=True)
class EvalQuery:
    id: str
    query: str
    relevant: tuple[str, ...]
    collection: str | None
    kind: str


@dataclass(frozen=True)
class Metrics:
    queries: int
    recall_at_1: float
    recall_at_5: float
    mrr: float


@dataclass(frozen=True)
class EvalRow:
    mode: SearchMode
    #: ``all``, ``collection:answer`` or ``kind:typo``...
    group: str
    metrics: Metrics


@dataclass(frozen=True)
class EvalReport:
    rows: tuple[EvalRow, ...]
    #: per mode, the queries without a relevant entry in the first five
    misses: dict[str, tuple[str, ...]]
    within_collection: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def metrics(self, mode: str, group: str = "all") -> Metrics:
        return next(row.metrics for row in self.rows if row.mode == mode and row.group == group)


def read_queries(paths: Sequence[Path]) -> tuple[list[EvalQuery], list[IngestProblem]]:
    """The queries of JSON-lines files and the problems of bad lines."""
    from .sources import KbSourceError

    queries: list[EvalQuery] = []
    problems: list[IngestProblem] = []
    for path in paths:
        if not Path(path).is_file():
            raise KbSourceError(f"{path}: no such file")
        with Path(path).open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                parsed = _query(line)
                if isinstance(parsed, str):
                    problems.append(IngestProblem(str(path), number, parsed))
                else:
                    queries.append(parsed)
    return queries, problems


def _query(line: str) -> EvalQuery | str:
    try:
        payload = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not JSON ({error.msg})"
    if not isinstance(payload, dict):
        return "not a JSON object"
    relevant = payload.get("relevant")
    if not isinstance(payload.get("query"), str) or not payload["query"].strip():
        return "needs a non-empty query"
    if (
        not isinstance(relevant, list)
        or not relevant
        or not all(isinstance(r, str) for r in relevant)
    ):
        return "needs relevant: a non-empty list of entry ids"
    return EvalQuery(
        id=str(payload.get("id", "")),
        query=payload["query"],
        relevant=tuple(relevant),
        collection=payload.get("collection"),
        kind=str(payload.get("kind") or "other"),
    )


def _first_relevant(hits: Sequence[str], relevant: tuple[str, ...]) -> int | None:
    return next((rank for rank, hit in enumerate(hits, start=1) if hit in relevant), None)


def _metrics(ranks: list[int | None]) -> Metrics:
    count = len(ranks)
    return Metrics(
        queries=count,
        recall_at_1=round(sum(r is not None and r <= 1 for r in ranks) / count, 4),
        recall_at_5=round(sum(r is not None and r <= 5 for r in ranks) / count, 4),
        mrr=round(sum(1 / r for r in ranks if r is not None) / count, 4),
    )


def evaluate(
    knowledge_base: KnowledgeBase,
    queries: Sequence[EvalQuery],
    modes: Sequence[SearchMode] = SEARCH_MODES,
    within_collection: bool = False,
) -> EvalReport:
    rows: list[EvalRow] = []
    misses: dict[str, tuple[str, ...]] = {}
    for mode in modes:
        groups: dict[str, list[int | None]] = defaultdict(list)
        missed = []
        for query in queries:
            filters = Filters(collection=query.collection if within_collection else None)
            hits = knowledge_base.search(query.query, MRR_DEPTH, filters, mode=mode)
            rank = _first_relevant([hit.id for hit in hits], query.relevant)
            for group in ("all", f"collection:{query.collection}", f"kind:{query.kind}"):
                groups[group].append(rank)
            if rank is None or rank > 5:
                missed.append(query.id)
        rows.extend(EvalRow(mode, group, _metrics(ranks)) for group, ranks in groups.items())
        misses[mode] = tuple(missed)
    order = {"all": 0, "collection": 1, "kind": 2}
    rows.sort(key=lambda row: (order[row.group.split(":")[0]], row.group, modes.index(row.mode)))
    return EvalReport(tuple(rows), misses, within_collection)


def format_report(report: EvalReport) -> str:
    lines = [f"{'group':<24}{'mode':<8}{'n':>5}{'R@1':>8}{'R@5':>8}{'MRR':>8}"]
    for row in report.rows:
        m = row.metrics
        lines.append(
            f"{row.group:<24}{row.mode:<8}{m.queries:>5}"
            f"{m.recall_at_1:>8.3f}{m.recall_at_5:>8.3f}{m.mrr:>8.3f}"
        )
    scope = "each query's own collection" if report.within_collection else "both collections"
    lines.append(f"(searched {scope}; MRR over the first {MRR_DEPTH} hits)")
    return "\n".join(lines)
