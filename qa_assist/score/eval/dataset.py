"""The labelled evaluation set: scripted calls composed from the phrase bank, each with the
verdict a QA specialist would give every rubric item.

A call is built move by move (greeting, identity check, the scenario's required steps,
closing); a planted violation leaves a move out, swaps in its ``no_`` counterpart, inserts a
forbidden line or a long pause. The same seed always gives the same calls.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ...demo.script import Turn

#: Violations that can be planted in any call, and those of each scenario.
GENERAL_VIOLATIONS = (
    "no_greeting",
    "no_identity",
    "forbidden",
    "no_closing",
    "dead_air",
    "late_response",
)
SCENARIO_VIOLATIONS = {
    "rescue": ("no_location", "no_safety", "no_eta", "no_callback"),
    "complaint": ("no_apology", "blame", "no_escalation", "no_time_promise"),
    "fault": ("no_symptoms", "no_appointment", "wrong_order"),
}
#: Pairs that cannot be planted together (the second needs what the first removes).
_CONFLICTS = (
    {"no_escalation", "no_time_promise"},
    {"wrong_order", "no_identity"},
    {"wrong_order", "no_appointment"},
)
#: Item -> the violations that make it fail (items not listed always pass).
_FAILS_ON = {
    "greeting": {"no_greeting"},
    "identity_check": {"no_identity"},
    "forbidden_phrases": {"forbidden"},
    "closing": {"no_closing"},
    "dead_air": {"dead_air"},
    "first_response": {"late_response"},
    "location_confirmed": {"no_location"},
    "safety_reminder": {"no_safety"},
    "eta_given": {"no_eta"},
    "callback_number": {"no_callback"},
    "apology": {"no_apology"},
    "no_blame_shifting": {"blame"},
    "escalation": {"no_escalation", "no_time_promise"},
    "symptoms_recorded": {"no_symptoms"},
    "appointment_offered": {"no_appointment"},
    "identity_before_solution": {"wrong_order"},
}
#: Items judged by the LLM: no scripted truth (and no endpoint in the benchmark).
LLM_ITEMS = frozenset({"empathy", "problem_solved", "correct_solution"})
DEAD_AIR_SECONDS = 12.5
LATE_FIRST_RESPONSE_SECONDS = 7.0


@dataclass(frozen=True)
class EvalCall:
    id: str
    scenario: str
    violations: tuple[str, ...]
    turns: tuple[Turn, ...]
    #: item id -> the verdict a person would give ("pass", "fail" or "not_applicable")
    expected: dict[str, str]


@lru_cache(maxsize=1)
def phrase_bank() -> dict[str, Any]:
    text = (resources.files(__package__) / "phrasebank.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def expected_verdicts(scenario: str, violations: tuple[str, ...]) -> dict[str, str]:
    from ..rubric import rubric_for_scenario

    expected = {}
    for item in rubric_for_scenario(scenario).items:
        if item.id in LLM_ITEMS:
            continue
        if item.scenarios and scenario not in item.scenarios:
            expected[item.id] = "not_applicable"
        elif item.id == "identity_before_solution" and {"no_identity", "no_appointment"} & set(
            violations
        ):
            expected[item.id] = "not_applicable"  # nothing to put in order
        else:
            expected[item.id] = (
                "fail" if _FAILS_ON.get(item.id, set()) & set(violations) else "pass"
            )
    return expected


class _Composer:
    """Lines for one call: the script's moves in order, with the planted violations."""

    def __init__(self, rng: random.Random, violations: set[str]) -> None:
        self.rng = rng
        self.violations = violations
        self.turns: list[Turn] = []
        self.bank = phrase_bank()

    def say(self, speaker: str, move: str, pause: float | None = None) -> None:
        line = self.rng.choice(self.bank[speaker][move])
        self.turns.append(Turn(speaker, line, pause))  # type: ignore[arg-type]

    def step(self, move: str, violation: str, replacement: str | None = None) -> bool:
        """The agent's move, or its replacement (or nothing) when the violation is planted."""
        if violation not in self.violations:
            self.say("agent", move)
            return True
        if replacement:
            self.say("agent", replacement)
        return False


def _rescue(call: _Composer) -> None:
    call.say("customer", "rescue")
    if call.step("location", "no_location"):
        call.say("customer", "location_reply")
    if call.step("identity", "no_identity"):
        call.say("customer", "identity_reply")
    call.step("safety", "no_safety", "acknowledge")
    call.say("customer", "acknowledge")
    call.step("eta", "no_eta", "no_eta")
    call.step("callback", "no_callback")
    call.say("customer", "acknowledge")


def _complaint(call: _Composer) -> None:
    call.say("customer", "complaint")
    call.step("apology", "no_apology", "no_apology")
    if call.step("identity", "no_identity"):
        call.say("customer", "identity_reply")
    call.say("customer", "complaint_more")
    if "blame" in call.violations:
        call.say("agent", "blame")
        call.say("customer", "complaint_more")
    if "no_time_promise" in call.violations:
        call.say("agent", "escalation_without_time")
    else:
        call.step("escalation", "no_escalation", "acknowledge")
    call.say("customer", "acknowledge")


def _fault(call: _Composer) -> None:
    call.say("customer", "fault")
    if "wrong_order" in call.violations:
        call.say("agent", "appointment")
        call.say("customer", "acknowledge")
    if call.step("identity", "no_identity"):
        call.say("customer", "identity_reply")
    if call.step("symptoms", "no_symptoms"):
        call.say("customer", "symptoms_reply")
    if "wrong_order" not in call.violations:
        call.step("appointment", "no_appointment", "no_appointment")
    call.say("customer", "acknowledge")


_MIDDLES = {"rescue": _rescue, "complaint": _complaint, "fault": _fault}


def _plant_anywhere(call: _Composer) -> None:
    """Insert a forbidden or a near-miss line, and a long pause, somewhere in the middle."""
    rng = call.rng
    middle = list(range(2, len(call.turns)))
    if "forbidden" in call.violations:
        call.turns.insert(
            rng.choice(middle), Turn("agent", rng.choice(call.bank["agent"]["forbidden"]))
        )
    elif rng.random() < 0.5:
        call.turns.insert(
            rng.choice(middle), Turn("agent", rng.choice(call.bank["agent"]["near_miss"]))
        )
    if rng.random() < 0.3:
        line = rng.choice(call.bank["customer"]["sounds_forbidden"])
        call.turns.insert(rng.choice(middle), Turn("customer", line))
    if "dead_air" in call.violations:
        agent_turns = [i for i, turn in enumerate(call.turns) if turn.speaker == "agent" and i >= 2]
        index = rng.choice(agent_turns)
        call.turns[index] = Turn("agent", call.turns[index].text, DEAD_AIR_SECONDS)


def compose_call(scenario: str, index: int, seed: int) -> EvalCall:
    rng = random.Random(f"{seed}-{scenario}-{index}")
    # Violations go round in turn (every one planted several times, some calls clean); the
    # seed shifts the rounds and picks the wording.
    own = SCENARIO_VIOLATIONS[scenario] + ("",)
    general = GENERAL_VIOLATIONS + ("",)
    chosen = {own[(index + seed) % len(own)], general[(index * 5 + seed) % len(general)]} - {""}
    if any(pair <= chosen for pair in _CONFLICTS):
        chosen = {own[(index + seed) % len(own)]}
    call = _Composer(rng, chosen)
    opening = "no_greeting" if "no_greeting" in chosen else "greeting"
    call.say("agent", opening, LATE_FIRST_RESPONSE_SECONDS if "late_response" in chosen else None)
    _MIDDLES[scenario](call)
    if rng.random() < 0.5:
        call.turns.insert(2, Turn("agent", rng.choice(call.bank["agent"]["empathy"])))
    _plant_anywhere(call)
    call.step("closing", "no_closing", "no_closing")
    call.say("customer", "goodbye")
    violations = tuple(sorted(chosen))
    return EvalCall(
        f"{scenario}-{seed}-{index:02d}",
        scenario,
        violations,
        tuple(call.turns),
        expected_verdicts(scenario, violations),
    )


def build_eval_set(calls_per_scenario: int = 22, seed: int = 1) -> list[EvalCall]:
    """``calls_per_scenario`` calls of each of rescue, complaint and fault (66 by default).

    A different seed gives a different set from the same bank: seed 0 is the development split
    thresholds are tuned on, seed 1 the reported evaluation set.
    """
    return [
        compose_call(scenario, index, seed)
        for scenario in SCENARIO_VIOLATIONS
        for index in range(calls_per_scenario)
    ]
