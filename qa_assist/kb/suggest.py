"""Suggestions for an agent: the entries that fit a ticket, a finished call or a call under way.

* A ticket is searched as it is; the triage model's type (and a fault's subsystem) is returned
  as a hint a client can offer as a filter, and favours standard answers of that scenario and
  repair cases of that subsystem by ``kb_hint_boost`` (off by default: on the evaluation
  queries every boost tried cost recall@1).
* A call is the customer's turns (what they need) weighed against the agent's (their words
  echo the need, but also the greeting and scripts every call has): both sides are embedded and
  tokenised apart and mixed with weights 1 and ``kb_agent_weight``.
* A live call is its latest turns only (``kb_live_turns``), since the need shifts as it goes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..settings import Settings
from .search import Filters, KnowledgeBase, Preference, WeightedText
from .types import Suggestions, TriageHint

if TYPE_CHECKING:
    from ..triage.classifier import TriageClassifier

log = logging.getLogger("qa_assist")

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")


class SpokenTurn(Protocol):
    @property
    def speaker(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class PlainTurn:
    speaker: str
    text: str


class Suggester:
    def __init__(
        self,
        knowledge_base: KnowledgeBase,
        settings: Settings,
        classifier: Callable[[], TriageClassifier] | None = None,
    ) -> None:
        self.knowledge_base = knowledge_base
        self.settings = settings
        self._classifier = classifier

    def for_ticket(self, text: str, k: int = 5, filters: Filters | None = None) -> Suggestions:
        hint = self._hint(text)
        prefer = (
            Preference(hint.type, hint.subsystem, self.settings.kb_hint_boost)
            if hint is not None
            else None
        )
        hits = self.knowledge_base.search(text, k, filters, prefer=prefer)
        return Suggestions("ticket", tuple(hits), text, hint)

    def for_transcript(
        self, turns: Sequence[SpokenTurn], k: int = 5, filters: Filters | None = None
    ) -> Suggestions:
        parts = self._call_query(turns)
        hits = self.knowledge_base.search(parts, k, filters)
        return Suggestions("transcript", tuple(hits), _shown(parts))

    def for_partial(
        self, turns: Sequence[SpokenTurn] | str, k: int = 5, filters: Filters | None = None
    ) -> Suggestions:
        """A live call: turns so far, or plain running text (its sentences count as turns of
        an unknown speaker)."""
        if isinstance(turns, str):
            turns = [PlainTurn("unknown", found) for found in _SENTENCE.findall(turns)]
        parts = self._call_query(list(turns)[-self.settings.kb_live_turns :])
        hits = self.knowledge_base.search(parts, k, filters)
        return Suggestions("partial", tuple(hits), _shown(parts))

    def _call_query(self, turns: Sequence[SpokenTurn]) -> list[WeightedText]:
        # Unlabelled speech (a mono call with one voice) counts as the customer's: it is all
        # there is, and dropping it would leave no query.
        said: dict[str, list[str]] = {"customer": [], "agent": []}
        for turn in turns:
            if turn.text.strip():
                side = "agent" if turn.speaker == "agent" else "customer"
                said[side].append(turn.text.strip())
        weights = {"customer": 1.0, "agent": self.settings.kb_agent_weight}
        return [(" ".join(texts), weights[side]) for side, texts in said.items() if texts]

    def _hint(self, text: str) -> TriageHint | None:
        if self._classifier is None:
            return None
        from ..models import ModelError

        try:
            result = self._classifier().classify(text)
        except ModelError as error:
            log.warning("suggestions without a triage hint: %s", error)
            return None
        return TriageHint(result.type, round(result.type_scores[result.type], 4), result.subsystem)


def _shown(parts: Sequence[WeightedText]) -> str:
    return parts[0][0] if parts else ""
