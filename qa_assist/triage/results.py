"""What triage produces for one ticket: plain dataclasses shared by the CLI, the API and the
quality check. Label values are the stable ids of ``labels.yaml``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from .entities import Entities
from .safety import EscalationSignal

PrioritySource = Literal["rule", "model"]
EscalationLevel = Literal["none", "medium", "high"]


@dataclass(frozen=True)
class PriorityReason:
    """Why a ticket got its priority: a safety rule and the phrase that fired it, or the model."""

    source: PrioritySource
    #: the safety rule id (``fire``, ``brake_failure``...) or ``model``
    rule_id: str
    zh: str
    en: str
    #: the words of the ticket that fired the rule (None for the model)
    phrase: str | None = None
    #: the companion phrase a rule needed nearby (高速 for a flat tyre), if any
    context: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class EscalationRisk:
    """How likely a complaint is to escalate: ``high`` for threats of media, regulators or
    lawyers, ``medium`` for repeat complaints and refund demands, ``none`` otherwise (and
    for tickets that are not complaints)."""

    level: EscalationLevel
    #: the phrases that raised it
    triggers: tuple[EscalationSignal, ...] = ()


@dataclass(frozen=True)
class TriageResult:
    """Type, subsystem, priority, escalation risk and entities of one ticket."""

    #: the primary type: fault, rescue, complaint, consultation or other
    type: str
    #: probability of every type (a fault that is also a complaint scores high on both)
    type_scores: dict[str, float]
    #: the faulty subsystem, given when the primary type is fault
    subsystem: str | None
    #: probability of every subsystem, as the model sees it whatever the type
    subsystem_scores: dict[str, float]
    #: P0 (safety risk) .. P3
    priority: str
    priority_scores: dict[str, float]
    #: the safety rules that forced P0, or the model
    priority_reasons: tuple[PriorityReason, ...]
    escalation_risk: EscalationRisk
    entities: Entities
    #: the model's probability of its least sure decision (type, subsystem, priority)
    confidence: float
    #: confidence fell below the review threshold of the settings
    needs_human: bool
    #: identity of the model that decided (see ``qa_assist.models.model_version``)
    model_version: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
