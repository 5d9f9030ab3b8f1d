"""Ticket triage: label set, labelled data, entity extraction, rule-based safety and
escalation signals, the trained classifier and the ticket quality check.

The classifier (a fine-tuned e5 encoder, ``model.py``) predicts type, subsystem and priority;
the safety flags force priority P0 whatever it says. Nothing here imports torch until a model
is loaded.
"""

from qa_assist.triage.classifier import TriageClassifier, classify
from qa_assist.triage.dataset import TICKETS_PATH, LabelledTicket, load_tickets
from qa_assist.triage.entities import (
    DateMention,
    Entities,
    FaultCode,
    Location,
    Mileage,
    Phone,
    Plate,
    VehicleModelMention,
    Vin,
    extract_entities,
)
from qa_assist.triage.labels import (
    PRIORITIES,
    SUBSYSTEMS,
    TICKET_TYPES,
    Label,
    LabelSet,
    load_labels,
)
from qa_assist.triage.quality import QualityReport, TicketChecker, TicketRecord, agent_error_rates
from qa_assist.triage.results import EscalationRisk, PriorityReason, TriageResult
from qa_assist.triage.safety import (
    EscalationSignal,
    SafetyFlag,
    escalation_signals,
    is_safety_critical,
    safety_flags,
)
from qa_assist.triage.text import NormalizedText, normalize
from qa_assist.triage.vin import check_digit, is_valid_vin

__all__ = [
    "PRIORITIES",
    "SUBSYSTEMS",
    "TICKETS_PATH",
    "TICKET_TYPES",
    "DateMention",
    "Entities",
    "EscalationRisk",
    "EscalationSignal",
    "FaultCode",
    "Label",
    "LabelSet",
    "LabelledTicket",
    "Location",
    "Mileage",
    "NormalizedText",
    "Phone",
    "Plate",
    "PriorityReason",
    "QualityReport",
    "SafetyFlag",
    "TicketChecker",
    "TicketRecord",
    "TriageClassifier",
    "TriageResult",
    "VehicleModelMention",
    "Vin",
    "agent_error_rates",
    "check_digit",
    "classify",
    "escalation_signals",
    "extract_entities",
    "is_safety_critical",
    "is_valid_vin",
    "load_labels",
    "load_tickets",
    "normalize",
    "safety_flags",
]
