"""Subjective items (empathy, was the problem solved) asked of a language model.

The answer must be one JSON object ``{"verdict": "pass"|"fail", "evidence": "...", "reason":
"..."}`` whose evidence quotes the call. Anything else (malformed JSON, an invented quote, a
timeout, an HTTP error) is retried, then reported as needs_review ("not judged"): a model that
did not answer never passes or fails an agent. Without an endpoint the item is not applicable
and waits for a person.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from ..chat import ChatClient, ChatError
from ..matching import find_phrase
from ..prompts import render_prompt
from ..reasons import because
from ..rubric import LLMJudgeCheck
from ..scope import Scope, Sentence
from ..types import CheckResult, Evidence, Verdict

log = logging.getLogger("qa_assist")

#: A model's verdict is an opinion: sure enough to score, never sure enough to skip review.
SURENESS = 0.75
#: How close a quoted evidence must be to something said (quotes drift in punctuation).
QUOTE_SIMILARITY = 0.8
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class AnswerError(ValueError):
    """The model answered, but not with a usable verdict."""


def _quoted(quote: str, scope: Scope) -> Sentence | None:
    best: tuple[float, Sentence] | None = None
    for turn in scope.all_turns:
        match = find_phrase(quote, turn.text)
        if match is not None and (best is None or match.similarity > best[0]):
            best = (match.similarity, Sentence(turn, turn.text))
    return best[1] if best and best[0] >= QUOTE_SIMILARITY else None


def parse_answer(text: str, scope: Scope) -> tuple[Verdict, str, Evidence | None]:
    """Verdict, reason and the evidence turn of a model's answer; AnswerError otherwise."""
    try:
        answer = json.loads(_FENCE.sub("", text.strip()))
    except json.JSONDecodeError as error:
        raise AnswerError(f"not JSON ({error.msg})") from error
    if not isinstance(answer, dict) or set(answer) != {"verdict", "evidence", "reason"}:
        raise AnswerError("expected exactly verdict, evidence and reason")
    verdict, quote, reason = answer["verdict"], answer["evidence"], answer["reason"]
    if verdict not in ("pass", "fail") or not isinstance(quote, str) or not isinstance(reason, str):
        raise AnswerError("verdict must be pass or fail; evidence and reason strings")
    if not quote.strip():
        if verdict == "pass":
            raise AnswerError("a pass must quote the call")
        return verdict, reason, None
    sentence = _quoted(quote, scope)
    if sentence is None:
        raise AnswerError(f"the evidence {quote[:40]!r} is not in the call")
    return verdict, reason, sentence.evidence(reason, 1.0, "llm_judge")


class LLMJudge:
    def __init__(
        self, client: ChatClient | None, retries: int = 2, prompts_dir: Path | None = None
    ) -> None:
        self.client = client
        self.retries = retries
        self.prompts_dir = prompts_dir

    def judge(self, check: LLMJudgeCheck, scope: Scope) -> CheckResult:
        if self.client is None:
            return CheckResult(
                "llm_judge",
                "not_applicable",
                1.0,
                **because("llm_unconfigured"),
            )
        prompt = render_prompt(
            check.prompt,
            self.prompts_dir,
            criterion=check.criterion.zh,
            speaker=scope.speaker,
            turns=scope.all_turns,
        )
        problem = ""
        for attempt in range(1 + self.retries):
            try:
                reply = self.client.complete([{"role": "user", "content": prompt}])
                verdict, reason, evidence = parse_answer(reply, scope)
            except (ChatError, AnswerError) as error:
                problem = str(error)
                log.warning("LLM judge attempt %d: %s", attempt + 1, problem)
                continue
            return CheckResult(
                "llm_judge",
                verdict,
                SURENESS,
                evidence=(evidence,) if evidence else (),
                **because("llm_answer", answer=reason),
            )
        return CheckResult(
            "llm_judge", "needs_review", 0.0, **because("llm_not_judged", problem=problem)
        )
