"""``qa-assist kb``: build, change, search and evaluate the knowledge base."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import echo_json_line, fail, user_errors

if TYPE_CHECKING:
    from ..kb import IngestResult, KnowledgeBase, SearchHit

app = typer.Typer(
    help="Knowledge base of standard answers and repair cases: build, add, delete, search, eval.",
    no_args_is_help=True,
)

IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index folder (default: kb in the data folder)."),
]
CollectionOption = Annotated[
    str | None,
    typer.Option("--collection", help="Collection of rows that name none: answer or case."),
]


@contextmanager
def _kb_errors() -> Iterator[None]:
    from ..kb import KbIndexError, KbSourceError

    with user_errors():
        try:
            yield
        except (KbIndexError, KbSourceError) as error:
            raise fail(str(error)) from None


def _open(index: Path | None) -> KnowledgeBase:
    from ..kb import knowledge_base
    from ..models import get_registry

    # The process-wide registry: commands run in one process share the loaded encoder.
    return knowledge_base(get_registry(), index)


def _read(files: list[Path], collection: str | None) -> IngestResult:
    """Entries of the files; bad rows are reported as they are found, a file that cannot be
    read at all stops the command."""
    from ..kb import read_sources

    result = read_sources(files, collection)
    for problem in result.problems:
        typer.secho(f"error: {problem}", fg=typer.colors.RED, err=True)
    if not result.entries:
        raise fail("no entries to load")
    return result


def _counts(entries: object) -> str:
    from collections import Counter

    counts = Counter(entry.collection for entry in entries)  # type: ignore[attr-defined]
    return ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))


@app.command()
def build(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="JSONL, CSV, XLSX or Markdown files (default: the shipped seed)."),
    ] = None,
    index: IndexOption = None,
    collection: CollectionOption = None,
) -> None:
    """Build the index anew from source files (bad rows are reported; exit 1 if there were any)."""
    from ..kb import SEED_SOURCES

    with _kb_errors():
        result = _read(list(sources or SEED_SOURCES), collection)
        knowledge_base = _open(index)
        started = time.perf_counter()
        built = knowledge_base.build(result.entries)
    typer.echo(
        f"built {built.size} entries ({_counts(built.entries)}) at {knowledge_base.root} "
        f"in {time.perf_counter() - started:.1f} s; dense index {built.dense.kind}"
    )
    if result.problems:
        raise typer.Exit(1)


@app.command()
def add(
    files: Annotated[list[Path], typer.Argument(help="JSONL, CSV, XLSX or Markdown files.")],
    index: IndexOption = None,
    collection: CollectionOption = None,
) -> None:
    """Add entries to the index, replacing entries with the same id."""
    with _kb_errors():
        result = _read(files, collection)
        knowledge_base = _open(index)
        outcome = knowledge_base.upsert(result.entries)
        size = knowledge_base.index().size
    typer.echo(f"added {len(outcome.added)}, replaced {len(outcome.replaced)}; {size} entries now")
    if result.problems:
        raise typer.Exit(1)


@app.command()
def delete(
    ids: Annotated[list[str], typer.Argument(help="Entry ids.")],
    index: IndexOption = None,
) -> None:
    """Delete entries by id (nothing is deleted if one of the ids is unknown)."""
    with _kb_errors():
        knowledge_base = _open(index)
        try:
            knowledge_base.delete(ids)
        except KeyError as error:
            raise fail(f"no entries with id {error.args[0]}; nothing deleted") from None
        size = knowledge_base.index().size
    typer.echo(f"deleted {len(set(ids))}; {size} entries now")


def _describe(rank: int, hit: SearchHit) -> str:
    text = hit.text
    pieces, cursor = [], hit.passage_span.start
    for span in hit.highlights:
        start, end = max(span.start, cursor), min(span.end, hit.passage_span.end)
        if start < end:
            pieces += [text[cursor:start], typer.style(text[start:end], bold=True, fg="yellow")]
            cursor = end
    pieces.append(text[cursor : hit.passage_span.end])
    ranks = ", ".join(f"{name} #{value}" for name, value in hit.ranks.items())
    return (
        f"{rank}. [{hit.collection}] {hit.id}  {hit.title}  (score {hit.score:.4f}; {ranks})\n"
        f"   {''.join(pieces)}"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What the customer asks or reports.")],
    index: IndexOption = None,
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many hits.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="The hits as one JSON list.")] = False,
    collection: Annotated[str | None, typer.Option("--collection", help="answer or case.")] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="An answer category or case subsystem.")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Vehicle model (entries for all models too).")
    ] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25.")] = "hybrid",
    valid_on: Annotated[
        str | None,
        typer.Option("--valid-on", help="Only entries valid on this day: YYYY-MM-DD or today."),
    ] = None,
) -> None:
    """Search the knowledge base."""
    from ..kb import COLLECTIONS, SEARCH_MODES, Filters

    if mode not in SEARCH_MODES:
        raise fail(f"unknown mode {mode!r}; choose {', '.join(SEARCH_MODES)}")
    if collection is not None and collection not in COLLECTIONS:
        raise fail(f"unknown collection {collection!r}; choose {', '.join(COLLECTIONS)}")
    if not query.strip():
        raise fail("the query is blank")
    try:
        day = date.today() if valid_on == "today" else valid_on and date.fromisoformat(valid_on)
    except ValueError:
        raise fail(f"--valid-on {valid_on!r} is not a date (YYYY-MM-DD or today)") from None
    with _kb_errors():
        hits = _open(index).search(
            query,
            k,
            Filters(collection, category, model, day or None),
            mode=mode,  # type: ignore[arg-type]
        )
    if as_json:
        echo_json_line(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False))
        return
    if not hits:
        typer.echo("no matching entries")
    for rank, hit in enumerate(hits, start=1):
        typer.echo(_describe(rank, hit))


@app.command("eval")
def evaluate(
    queries: Annotated[
        list[Path] | None,
        typer.Argument(help="Query files (default: the shipped evaluation queries)."),
    ] = None,
    index: IndexOption = None,
    within_collection: Annotated[
        bool,
        typer.Option(help="Search only the collection each query names (default: everything)."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="All numbers as one JSON object.")
    ] = False,
) -> None:
    """Recall@1, recall@5 and MRR of dense, BM25 and hybrid search, per collection and kind."""
    from ..kb.evaluation import default_queries, format_report, read_queries
    from ..kb.evaluation import evaluate as run

    with _kb_errors():
        loaded, problems = read_queries(queries or default_queries())
        for problem in problems:
            typer.secho(f"error: {problem}", fg=typer.colors.RED, err=True)
        if not loaded:
            raise fail("no evaluation queries")
        knowledge_base = _open(index)
        report = run(knowledge_base, loaded, within_collection=within_collection)
    if as_json:
        echo_json_line(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        typer.echo(format_report(report))
    if problems:
        raise typer.Exit(1)
