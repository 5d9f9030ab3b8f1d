"""Retrieval quality of the knowledge base on the shipped evaluation queries.

    python benchmarks/kb_eval.py [--index DIR] [--json]

Without ``--index`` the seed is built afresh with e5 into a temporary folder (a few minutes
on 2 cores). Prints recall@1, recall@5 and MRR for dense only, BM25 only and hybrid search,
overall, per collection and per kind of query, then the queries hybrid missed in its top 5.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from qa_assist.kb import SEED_SOURCES, knowledge_base, read_sources
from qa_assist.kb.evaluation import default_queries, evaluate, format_report, read_queries
from qa_assist.models import ModelRegistry
from qa_assist.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index built from the seed")
    parser.add_argument("--within-collection", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    queries, problems = read_queries(default_queries())
    for problem in problems:
        print(f"error: {problem}")
    scratch = None if args.index else Path(tempfile.mkdtemp(prefix="kb-eval-"))
    try:
        kb = knowledge_base(ModelRegistry(Settings()), args.index or scratch)
        if scratch is not None:
            started = time.perf_counter()
            kb.build(read_sources(list(SEED_SOURCES)).entries)
            print(
                f"built the seed ({kb.index().size} entries) in {time.perf_counter() - started:.0f} s"
            )
        started = time.perf_counter()
        report = evaluate(kb, queries, within_collection=args.within_collection)
        seconds = time.perf_counter() - started
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    print(format_report(report))
    print(f"{len(queries)} queries x 3 modes in {seconds:.0f} s")
    by_id = {query.id: query for query in queries}
    for query_id in report.misses["hybrid"]:
        query = by_id[query_id]
        print(f"hybrid missed {query_id} [{query.kind}] {query.query!r} -> {list(query.relevant)}")


if __name__ == "__main__":
    main()
