"""A small engine for phrase rules kept in YAML: regex patterns per rule, optional
co-occurrence ("爆胎" counts as motorway stranding only near "高速"), vetoes ("冒白烟" next to
"排气管" is an exhaust fault, not a fire risk) and cheap guards against negated ("没有冒烟"),
averted ("差点追尾") and hypothetical ("会不会自燃") mentions.

Matching runs on NFKC-normalised text, case-insensitively; spans refer to the original text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qa_assist.triage.text import NormalizedText, normalize

logger = logging.getLogger("qa_assist")

# Guards look no further than the clause the phrase stands in: "没有人受伤，车冒烟了" must
# still flag the smoke. A full stop only ends a clause before white space or the end, so
# "3.5" stays whole.
_CLAUSE_END = re.compile(r"[。！？!?；;，,\n…~]|\.(?=\s|$)")


@dataclass(frozen=True, slots=True)
class Window:
    """A regex that must (``near``) or must not (``unless``) match within ``chars`` of a phrase."""

    pattern: re.Pattern[str]
    chars: int


@dataclass(frozen=True, slots=True)
class Guards:
    """Context that cancels a phrase inside its clause; any field may be None (no guard)."""

    negation_before: re.Pattern[str] | None = (
        None  # matched against the text before, anchored at its end
    )
    negation_after: re.Pattern[str] | None = None  # matched at the start of the text after
    near_miss_before: tuple[Window, ...] = ()  # each searched in the last ``chars`` before
    hypothetical_before: tuple[Window, ...] = ()
    hypothetical_after: tuple[Window, ...] = ()  # each searched in the first ``chars`` after


@dataclass(frozen=True, slots=True)
class PhraseRule:
    """One rule: its phrases, and optionally a companion phrase it needs and vetoes."""

    id: str
    zh: str
    en: str
    description: str
    pattern: re.Pattern[str]
    near: Window | None = None
    unless: Window | None = None


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that fired: the phrase, its span in the original text, and the companion phrase."""

    rule_id: str
    phrase: str
    start: int
    end: int
    context: str | None = None


@dataclass(frozen=True, slots=True)
class PhraseRuleSet:
    """The rules and guards of one YAML file."""

    rules: tuple[PhraseRule, ...]
    guards: Guards

    def find(self, text: str) -> list[RuleHit]:
        """Every hit in ``text``, at most one per rule and span, sorted by position."""
        norm = normalize(text)
        hits: list[RuleHit] = []
        for rule in self.rules:
            taken: list[tuple[int, int]] = []
            for match in rule.pattern.finditer(norm.text):
                hit = self._judge(rule, norm, match)
                if hit is None:
                    continue
                if any(match.start() < end and start < match.end() for start, end in taken):
                    continue
                taken.append((match.start(), match.end()))
                hits.append(hit)
        hits.sort(key=lambda hit: (hit.start, hit.rule_id))
        return hits

    def _judge(
        self, rule: PhraseRule, norm: NormalizedText, match: re.Match[str]
    ) -> RuleHit | None:
        text = norm.text
        if _cancelled(self.guards, text, match.start(), match.end()):
            return None
        if rule.unless is not None and _window_search(
            rule.unless, text, match.start(), match.end()
        ):
            return None
        context: str | None = None
        if rule.near is not None:
            companion = _window_search(rule.near, text, match.start(), match.end())
            if companion is None:
                return None
            context = companion
        start, end = norm.to_original(match.start(), match.end())
        return RuleHit(rule.id, norm.original[start:end], start, end, context)


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    clause_start = 0
    for found in _CLAUSE_END.finditer(text, 0, start):
        clause_start = found.end()
    following = _CLAUSE_END.search(text, end)
    return clause_start, following.start() if following else len(text)


def _cancelled(guards: Guards, text: str, start: int, end: int) -> bool:
    clause_start, clause_end = _clause_bounds(text, start, end)
    before = text[clause_start:start]
    after = text[end:clause_end]
    if guards.negation_before is not None and guards.negation_before.search(before):
        return True
    if guards.negation_after is not None and guards.negation_after.match(after):
        return True
    for window in (*guards.near_miss_before, *guards.hypothetical_before):
        if window.pattern.search(before[-window.chars :]):
            return True
    return any(window.pattern.search(after[: window.chars]) for window in guards.hypothetical_after)


def _window_search(window: Window, text: str, start: int, end: int) -> str | None:
    # The companion may sit in a neighbouring clause ("在京港澳高速上，车突然熄火了").
    region_start = max(0, start - window.chars)
    region = text[region_start : end + window.chars]
    found = window.pattern.search(region)
    return found.group() if found else None


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


def _window(raw: dict[str, Any] | None) -> Window | None:
    if not raw:
        return None
    return Window(_compile(raw["patterns"]), int(raw["window"]))


def _windows(raw: list[dict[str, Any]] | None) -> tuple[Window, ...]:
    return tuple(window for window in map(_window, raw or []) if window is not None)


def _anchored(raw: list[str] | None, at_end: bool) -> re.Pattern[str] | None:
    if not raw:
        return None
    body = "|".join(f"(?:{pattern})" for pattern in raw)
    return re.compile(f"(?:{body})\\s*$" if at_end else f"^\\s*(?:{body})", re.IGNORECASE)


def load_rule_set(path: Path) -> PhraseRuleSet:
    """Read and compile a rule file (see ``safety_rules.yaml`` for the format)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    guards_raw = raw.get("guards") or {}
    guards = Guards(
        negation_before=_anchored(guards_raw.get("negation_before"), at_end=True),
        negation_after=_anchored(guards_raw.get("negation_after"), at_end=False),
        near_miss_before=_windows(guards_raw.get("near_miss_before")),
        hypothetical_before=_windows(guards_raw.get("hypothetical_before")),
        hypothetical_after=_windows(guards_raw.get("hypothetical_after")),
    )
    rules = []
    for rule in raw["rules"]:
        rules.append(
            PhraseRule(
                id=rule["id"],
                zh=rule["zh"],
                en=rule["en"],
                description=rule["description"],
                pattern=_compile(
                    [*rule["patterns"].get("zh", []), *rule["patterns"].get("en", [])]
                ),
                near=_window(rule.get("near")),
                unless=_window(rule.get("unless")),
            )
        )
    logger.debug("loaded %d phrase rules from %s", len(rules), path.name)
    return PhraseRuleSet(rules=tuple(rules), guards=guards)
