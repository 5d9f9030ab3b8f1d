"""Rule-based safety flags (which force priority P0) and escalation signals for tickets.

The rules live in ``safety_rules.yaml`` and ``escalation_rules.yaml`` so that the service
centre can read and extend them without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qa_assist.triage.phrase_rules import PhraseRuleSet, RuleHit, load_rule_set

SAFETY_RULES_PATH = Path(__file__).with_name("safety_rules.yaml")
ESCALATION_RULES_PATH = Path(__file__).with_name("escalation_rules.yaml")


#: A safety rule that fired: its id, the phrase, its span and the companion phrase if any.
SafetyFlag = RuleHit


@dataclass(frozen=True, slots=True)
class EscalationSignal:
    """An escalation signal (media, regulator, legal, repeat, refund) and where it was said."""

    signal: str
    phrase: str
    start: int
    end: int


@lru_cache
def safety_rules(path: Path = SAFETY_RULES_PATH) -> PhraseRuleSet:
    """The compiled safety rules (cached)."""
    return load_rule_set(path)


@lru_cache
def escalation_rules(path: Path = ESCALATION_RULES_PATH) -> PhraseRuleSet:
    """The compiled escalation rules (cached)."""
    return load_rule_set(path)


def safety_flags(text: str) -> list[SafetyFlag]:
    """Safety rules that fire on ``text``; any flag means the ticket is P0."""
    return safety_rules().find(text)


def escalation_signals(text: str) -> list[EscalationSignal]:
    """Escalation signals in ``text``."""
    return [
        EscalationSignal(hit.rule_id, hit.phrase, hit.start, hit.end)
        for hit in escalation_rules().find(text)
    ]


def is_safety_critical(text: str) -> bool:
    """Whether any safety rule fires, i.e. the ticket must be P0."""
    return bool(safety_rules().find(text))
