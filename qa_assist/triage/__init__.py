"""Ticket triage: label set, labelled data, entity extraction and rule-based safety and
escalation signals.

The classifier that predicts type, subsystem and priority builds on these; the safety flags
force priority P0 whatever a model says.
"""

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
from qa_assist.triage.labels import PRIORITIES, SUBSYSTEMS, TICKET_TYPES, Label, LabelSet, load_labels
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
    "SafetyFlag",
    "VehicleModelMention",
    "Vin",
    "check_digit",
    "escalation_signals",
    "extract_entities",
    "is_safety_critical",
    "is_valid_vin",
    "load_labels",
    "load_tickets",
    "normalize",
    "safety_flags",
]
