"""Scoring a transcript against a rubric."""

from __future__ import annotations

from ..transcribe import Segment, Transcript
from .matching import find_phrase
from .rubric import Item, PhraseCheck, Rubric
from .types import CallScore, Evidence, ItemResult, Verdict

#: How far past the threshold a similarity must be before the verdict counts as sure.
_CONFIDENCE_MARGIN = 0.15


def _in_scope(item: Item, segment: Segment, duration: float) -> bool:
    if item.speaker != "both" and segment.speaker not in (item.speaker, "unknown"):
        return False
    window = item.window
    if window.first_seconds is not None and segment.start > window.first_seconds:
        return False
    if window.last_seconds is not None and segment.end < duration - window.last_seconds:
        return False
    return True


def _phrase_hits(
    check: PhraseCheck, segments: list[tuple[int, Segment]]
) -> tuple[list[Evidence], float]:
    """Best evidence per phrase that reaches the threshold, and the best similarity seen."""
    hits: list[Evidence] = []
    best_seen = 0.0
    for phrase in check.phrases:
        best: Evidence | None = None
        for index, segment in segments:
            match = find_phrase(phrase, segment.text)
            if match is None or (best is not None and match.similarity <= best.similarity):
                continue
            best = Evidence(
                segment_index=index,
                speaker=segment.speaker,
                start=segment.start,
                end=segment.end,
                text=segment.text,
                matched=phrase,
                similarity=match.similarity,
            )
        if best is not None:
            best_seen = max(best_seen, best.similarity)
            if best.similarity >= check.threshold:
                hits.append(best)
    return hits, best_seen


def _confidence(similarity: float, threshold: float) -> float:
    return round(min(1.0, 0.5 + abs(similarity - threshold) / (2 * _CONFIDENCE_MARGIN)), 3)


def _score_item(item: Item, transcript: Transcript, scenario: str) -> ItemResult:
    def result(verdict: Verdict, confidence: float, evidence: list[Evidence], reason: str):
        return ItemResult(
            item_id=item.id,
            title_zh=item.title.zh,
            title_en=item.title.en,
            verdict=verdict,
            points=item.points if verdict in ("pass", "not_applicable") else 0.0,
            max_points=item.points,
            fatal=item.fatal,
            confidence=confidence,
            evidence=tuple(evidence),
            reason=reason,
        )

    if item.scenarios and scenario not in item.scenarios:
        return result("not_applicable", 1.0, [], f"only for {', '.join(item.scenarios)} calls")
    scope = [
        (index, segment)
        for index, segment in enumerate(transcript.segments)
        if _in_scope(item, segment, transcript.duration)
    ]
    check = item.check
    hits, best_seen = _phrase_hits(check, scope)
    if check.type == "phrase_present":
        if len(hits) >= check.min_hits:
            weakest = min(hit.similarity for hit in hits[: check.min_hits])
            return result("pass", _confidence(weakest, check.threshold), hits, "standard phrase said")
        return result(
            "fail", _confidence(best_seen, check.threshold), [], "no standard phrase found"
        )
    if hits:
        strongest = max(hit.similarity for hit in hits)
        return result("fail", _confidence(strongest, check.threshold), hits, "forbidden phrase said")
    return result("pass", _confidence(best_seen, check.threshold), [], "no forbidden phrase")


def score_transcript(transcript: Transcript, rubric: Rubric, scenario: str = "general") -> CallScore:
    items = tuple(_score_item(item, transcript, scenario) for item in rubric.items)
    fatal_failure = any(item.fatal and item.verdict == "fail" for item in items)
    applicable_max = sum(item.max_points for item in items if item.verdict != "not_applicable")
    earned = sum(item.points for item in items if item.verdict != "not_applicable")
    total = 0.0 if fatal_failure else round(100 * earned / applicable_max, 1) if applicable_max else 100.0
    by_id = {item.id: item for item in rubric.items}
    coaching = tuple(
        (by_id[item.item_id].coaching or by_id[item.item_id].title).zh
        for item in items
        if item.verdict == "fail"
    )
    return CallScore(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        scenario=scenario,
        total=total,
        max_total=100.0,
        fatal_failure=fatal_failure,
        items=items,
        coaching=coaching,
    )
