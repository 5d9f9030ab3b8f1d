"""Triage of ticket text: the trained model's type, subsystem and priority, combined with the
safety rules (any safety flag makes a ticket P0 whatever the model says), escalation signals
for complaints, and entities.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from .entities import extract_entities
from .results import EscalationRisk, PriorityReason, TriageResult
from .safety import SafetyFlag, escalation_signals, safety_flags, safety_rules

if TYPE_CHECKING:  # torch: loaded with the model, not with this module
    from .model import HeadScores, TriageModel
    from .ngram import CombinedModel

#: Escalation signals that mean the customer is about to go outside (press, regulator, court).
_HIGH_RISK_SIGNALS = frozenset({"media", "regulator", "legal"})


@lru_cache
def _rule_names() -> dict[str, tuple[str, str]]:
    return {rule.id: (rule.zh, rule.en) for rule in safety_rules().rules}


def _top(scores: dict[str, float]) -> str:
    return max(scores, key=scores.__getitem__)


def _rule_reason(flag: SafetyFlag) -> PriorityReason:
    zh, en = _rule_names()[flag.rule_id]
    return PriorityReason(
        "rule", flag.rule_id, zh, en, flag.phrase, flag.context, flag.start, flag.end
    )


_MODEL_REASON = PriorityReason(
    "model", "model", "模型判断（未触发安全规则）", "model (no safety rule fired)"
)


def escalation_risk(text: str, ticket_type: str) -> EscalationRisk:
    """The escalation risk of a ticket of type ``ticket_type`` (only complaints escalate)."""
    if ticket_type != "complaint":
        return EscalationRisk("none")
    signals = tuple(escalation_signals(text))
    if not signals:
        return EscalationRisk("none")
    high = any(signal.signal in _HIGH_RISK_SIGNALS for signal in signals)
    return EscalationRisk("high" if high else "medium", signals)


class TriageClassifier:
    """Classifies ticket texts with one loaded model; cheap to call, safe to share."""

    def __init__(self, model: TriageModel | CombinedModel, review_threshold: float) -> None:
        self.model = model
        self.review_threshold = review_threshold

    def classify(self, text: str) -> TriageResult:
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str], batch_size: int = 32) -> list[TriageResult]:
        """One result per text, in order; the model runs in batches (much faster per ticket)."""
        scores = self.model.predict(texts, batch_size=batch_size)
        return [self._decide(text, score) for text, score in zip(texts, scores, strict=True)]

    def _decide(self, text: str, scores: HeadScores) -> TriageResult:
        ticket_type = _top(scores.type)
        subsystem = _top(scores.subsystem) if ticket_type == "fault" else None
        decided = [scores.type[ticket_type]]
        if subsystem is not None:
            decided.append(scores.subsystem[subsystem])
        flags = safety_flags(text)
        if flags:
            priority = "P0"
            reasons = tuple(_rule_reason(flag) for flag in flags)
        else:
            priority = _top(scores.priority)
            reasons = (_MODEL_REASON,)
            decided.append(scores.priority[priority])
        confidence = min(decided)
        return TriageResult(
            type=ticket_type,
            type_scores=scores.type,
            subsystem=subsystem,
            subsystem_scores=scores.subsystem,
            priority=priority,
            priority_scores=scores.priority,
            priority_reasons=reasons,
            escalation_risk=escalation_risk(text, ticket_type),
            entities=extract_entities(text),
            confidence=confidence,
            needs_human=confidence < self.review_threshold,
            model_version=self.model.version,
        )


def classify(text: str) -> TriageResult:
    """Triage one text with the process-wide model (loaded on first use)."""
    from ..models import get_registry

    return get_registry().triage_classifier().classify(text)
