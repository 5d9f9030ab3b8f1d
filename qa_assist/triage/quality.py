"""Ticket quality check (工单质检): the ticket an agent wrote, checked against the template of
its type (``ticket_templates.yaml``) and against the call it came from, so that a supervisor
sees each agent's ticket error rate.

Checks, each reported as a :class:`QualityIssue` with a code:

* ``missing_field``: a field the template requires is empty (with what the call said, if it did);
* ``invalid_vin`` / ``invalid_plate`` / ``invalid_phone``: not a well-formed value (a VIN with a
  wrong check digit included);
* ``vin_mismatch`` / ``plate_mismatch`` / ``phone_mismatch``: the call names values of that kind
  and the record holds none of them;
* ``type_mismatch`` / ``subsystem_mismatch``: the classifier, sure of itself, puts the call in
  another category;
* ``priority_too_low``: a safety rule fires on the call and the record is not P0;
* ``unknown_label``: a type, subsystem or priority that ``labels.yaml`` does not have.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from .classifier import TriageClassifier
from .entities import Entities, extract_entities
from .labels import PRIORITIES, SUBSYSTEMS, TICKET_TYPES, load_labels
from .results import TriageResult
from .vin import check_digit_required

TEMPLATES_PATH = Path(__file__).with_name("ticket_templates.yaml")

Severity = Literal["critical", "error", "warning"]
#: Record fields that hold an identifier the call may also name.
IDENTIFIER_FIELDS = ("vin", "plate", "phone")


@dataclass(frozen=True)
class TicketRecord:
    """A ticket as an agent filed it; every field but ``id`` and ``type`` may be empty."""

    id: str
    type: str
    agent_id: str | None = None
    subsystem: str | None = None
    priority: str | None = None
    vin: str | None = None
    plate: str | None = None
    phone: str | None = None
    vehicle_model: str | None = None
    location: str | None = None
    description: str | None = None

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> TicketRecord:
        """Build from a JSON object; ``ValueError`` names a missing or unknown key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(payload) - known)
        if unknown:
            raise ValueError(
                f"unknown ticket field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        for required in ("id", "type"):
            if not payload.get(required):
                raise ValueError(f"a ticket record needs {required!r}")
        return cls(**{key: None if value == "" else value for key, value in payload.items()})


@dataclass(frozen=True)
class QualityIssue:
    code: str
    #: the record field concerned
    field: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class QualityReport:
    """The issues of one ticket record, and how the classifier read its call."""

    ticket_id: str
    agent_id: str | None
    issues: tuple[QualityIssue, ...]
    call_type: str
    call_subsystem: str | None
    call_priority: str

    @property
    def has_errors(self) -> bool:
        """Whether an issue other than a warning was found (warnings do not count as errors)."""
        return any(issue.severity != "warning" for issue in self.issues)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AgentQuality:
    """One agent's ticket error rate."""

    agent_id: str
    tickets: int
    tickets_with_errors: int
    error_rate: float
    #: issue code -> how often
    issues: dict[str, int]


@lru_cache
def load_templates(path: Path = TEMPLATES_PATH) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Ticket type -> required fields, each a tuple of alternatives."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    record_fields = {f.name for f in fields(TicketRecord)}
    templates: dict[str, tuple[tuple[str, ...], ...]] = {}
    for ticket_type, required in raw.items():
        groups = tuple(tuple(item) if isinstance(item, list) else (item,) for item in required)
        unknown = {name for group in groups for name in group} - record_fields
        if ticket_type not in TICKET_TYPES or unknown:
            raise ValueError(
                f"{path.name}: unknown type {ticket_type!r} or field(s) {sorted(unknown)}"
            )
        templates[ticket_type] = groups
    return templates


def _said(entities: Entities, kind: str) -> list[str]:
    """The distinct values of one identifier kind in ``entities``, canonical form."""
    items = {"vin": entities.vins, "plate": entities.plates, "phone": entities.phones}[kind]
    return list(dict.fromkeys(item.value for item in items))


def _identifier_issues(record: TicketRecord, call: Entities) -> list[QualityIssue]:
    issues = []
    for kind in IDENTIFIER_FIELDS:
        value = getattr(record, kind)
        if value is None:
            continue  # a missing field is the template's business
        # Entity extraction validates and canonicalises the field (粤B·12345 -> 粤B12345).
        found = extract_entities(value)
        own = _said(found, kind)
        said = _said(call, kind)
        if len(own) != 1 or (kind == "vin" and not _vin_ok(found)):
            issues.append(
                QualityIssue(f"invalid_{kind}", kind, "error", f"{value!r} is not a valid {kind}")
            )
        elif said and own[0] not in said:
            issues.append(
                QualityIssue(
                    f"{kind}_mismatch",
                    kind,
                    "error",
                    f"{own[0]} differs from the call ({', '.join(said)})",
                )
            )
    return issues


def _vin_ok(entities: Entities) -> bool:
    vin = entities.vins[0]
    return vin.valid or not check_digit_required(vin.value)


def _template_issues(record: TicketRecord, call: Entities) -> list[QualityIssue]:
    issues = []
    for group in load_templates().get(record.type, ()):
        if any(getattr(record, name) for name in group):
            continue
        said = [value for name in group if name in IDENTIFIER_FIELDS for value in _said(call, name)]
        hint = f" (the call says {', '.join(said)})" if said else ""
        issues.append(
            QualityIssue(
                "missing_field", "/".join(group), "error", f"{' or '.join(group)} is required{hint}"
            )
        )
    return issues


def _label_issues(record: TicketRecord) -> list[QualityIssue]:
    issues = []
    for name, allowed in (
        ("type", TICKET_TYPES),
        ("subsystem", SUBSYSTEMS),
        ("priority", PRIORITIES),
    ):
        value = getattr(record, name)
        if value is not None and value not in allowed:
            issues.append(
                QualityIssue(
                    "unknown_label", name, "error", f"{value!r} is not one of {', '.join(allowed)}"
                )
            )
    return issues


def _category_issues(record: TicketRecord, call: TriageResult) -> list[QualityIssue]:
    issues = []
    if any(reason.source == "rule" for reason in call.priority_reasons) and record.priority != "P0":
        phrases: dict[str, list[str]] = {}
        for reason in call.priority_reasons:
            phrases.setdefault(reason.zh, []).append(reason.phrase or "")
        rules = "; ".join(f"{rule} ({', '.join(said)})" for rule, said in phrases.items())
        issues.append(
            QualityIssue(
                "priority_too_low",
                "priority",
                "critical",
                f"the call has a safety risk: {rules}; must be P0",
            )
        )
    if call.needs_human:
        return issues  # the classifier is unsure: no category verdict
    labels = load_labels()
    if record.type != call.type:
        issues.append(
            QualityIssue(
                "type_mismatch",
                "type",
                "error",
                f"the call reads as {labels.get('types', call.type).zh} ({call.type}, "
                f"{call.type_scores[call.type]:.0%}), the ticket says {record.type}",
            )
        )
    elif (
        call.subsystem is not None
        and record.subsystem is not None
        and record.subsystem != call.subsystem
    ):
        issues.append(
            QualityIssue(
                "subsystem_mismatch",
                "subsystem",
                "warning",
                f"the call reads as {labels.get('subsystems', call.subsystem).zh} ({call.subsystem}), "
                f"the ticket says {record.subsystem}",
            )
        )
    return issues


class TicketChecker:
    """Checks ticket records against their calls with one classifier."""

    def __init__(self, classifier: TriageClassifier) -> None:
        self.classifier = classifier

    def check(self, record: TicketRecord, call_text: str) -> QualityReport:
        return self.check_batch([(record, call_text)])[0]

    def check_batch(self, pairs: Sequence[tuple[TicketRecord, str]]) -> list[QualityReport]:
        """One report per (record, call text) pair; the calls are classified in one batch.

        The call text is a transcript with speaker labels (``客服：`` / ``客户：`` lines, see
        :func:`transcript_text`) or any text the customer wrote.
        """
        calls = self.classifier.classify_batch([text for _, text in pairs])
        reports = []
        for (record, _), call in zip(pairs, calls, strict=True):
            issues = [
                *_label_issues(record),
                *_template_issues(record, call.entities),
                *_identifier_issues(record, call.entities),
                *_category_issues(record, call),
            ]
            reports.append(
                QualityReport(
                    record.id,
                    record.agent_id,
                    tuple(issues),
                    call.type,
                    call.subsystem,
                    call.priority,
                )
            )
        return reports


def transcript_text(segments: Sequence[tuple[str, str]]) -> str:
    """A call as text for the checker: one ``客服：`` or ``客户：`` line per (speaker, text)
    segment, so that the classifier reads the customer's side only."""
    names = {"agent": "客服", "customer": "客户"}
    return "\n".join(f"{names.get(speaker, '客户')}：{text}" for speaker, text in segments)


def agent_error_rates(reports: Sequence[QualityReport]) -> list[AgentQuality]:
    """Ticket error rate per agent (tickets without an agent count as ``unknown``), worst first."""
    by_agent: dict[str, list[QualityReport]] = {}
    for report in reports:
        by_agent.setdefault(report.agent_id or "unknown", []).append(report)
    rates = []
    for agent, own in by_agent.items():
        with_errors = sum(report.has_errors for report in own)
        codes = Counter(issue.code for report in own for issue in report.issues)
        rates.append(
            AgentQuality(agent, len(own), with_errors, with_errors / len(own), dict(codes))
        )
    return sorted(rates, key=lambda rate: (-rate.error_rate, rate.agent_id))
