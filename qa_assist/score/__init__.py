"""Scoring transcripts against rubrics, with evidence for every item.

``Scorer`` runs one judge per check type (phrase, regex, semantic, order, metric, llm_judge);
``scorer_from_settings`` builds it with the shared e5 encoder and the configured LLM endpoint.
"""

from .library import RubricInfo, RubricLibrary, RubricSource, RubricVersionClash
from .matching import PhraseMatch, find_phrase
from .rubric import (
    SCENARIOS,
    Item,
    Rubric,
    RubricError,
    load_rubric,
    parse_rubric,
    rubric_for_scenario,
    scenario_for_ticket_type,
    shipped_rubrics,
)
from .scorer import Scorer, score_transcript
from .setup import scorer_from_settings
from .types import CallScore, CheckResult, Evidence, ItemResult, Override, Verdict, with_items

__all__ = [
    "SCENARIOS",
    "CallScore",
    "CheckResult",
    "Evidence",
    "Item",
    "ItemResult",
    "Override",
    "PhraseMatch",
    "Rubric",
    "RubricError",
    "RubricInfo",
    "RubricLibrary",
    "RubricSource",
    "RubricVersionClash",
    "Scorer",
    "Verdict",
    "find_phrase",
    "load_rubric",
    "parse_rubric",
    "rubric_for_scenario",
    "scenario_for_ticket_type",
    "score_transcript",
    "scorer_from_settings",
    "shipped_rubrics",
    "with_items",
]
