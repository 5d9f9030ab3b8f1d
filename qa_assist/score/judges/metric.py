"""Timing measures of the call (dead air, overtalk, interruptions, speech rate, first response)."""

from __future__ import annotations

from ...transcribe import CallMetrics, Interval
from ..reasons import because, word
from ..rubric import MetricCheck
from ..scope import Scope
from ..types import CheckResult, Evidence, Verdict
from .base import confidence

#: A value this share of the limit away from it counts as sure.
RELATIVE_MARGIN = 0.25


def measure(metric: str, metrics: CallMetrics) -> tuple[float | None, tuple[Interval, ...]]:
    """The value of a metric and the stretches of the call it comes from."""
    agent = metrics.for_speaker("agent")
    if metric == "longest_dead_air":
        gap = metrics.longest_dead_air
        return (gap.seconds if gap else 0.0), ((gap,) if gap else ())
    if metric == "silence_ratio":
        return metrics.silence_ratio, ()
    if metric == "holds":
        return float(len(metrics.holds)), metrics.holds
    if metric == "overtalk_seconds":
        return metrics.overtalk_seconds, metrics.overtalk
    if metric == "interruptions":
        return float(len(metrics.agent_interruptions)), metrics.agent_interruptions
    if metric == "agent_speech_rate":
        return (agent.speech_rate_cpm if agent else None), ()
    if metric == "agent_talk_ratio":
        return (agent.talk_ratio if agent else None), ()
    return metrics.agent_first_response, ()


class MetricJudge:
    def judge(self, check: MetricCheck, scope: Scope) -> CheckResult:
        limits = f"{check.min if check.min is not None else ''}..{check.max if check.max is not None else ''}"
        if scope.metrics is None:
            return CheckResult("metric", "needs_review", 0.0, **because("no_metrics"))
        value, stretches = measure(check.metric, scope.metrics)
        if value is None:
            return CheckResult(
                "metric",
                "not_applicable",
                1.0,
                **because("metric_missing", metric=word(check.metric)),
            )
        too_low = check.min is not None and value < check.min
        too_high = check.max is not None and value > check.max
        nearest = min(
            (limit for limit in (check.min, check.max) if limit is not None),
            key=lambda limit: abs(value - limit),
        )
        sureness = confidence(value, nearest, max(abs(nearest) * RELATIVE_MARGIN, 0.5))
        verdict: Verdict = "fail" if too_low or too_high else "pass"
        # The stretches behind the value (each dead air, each interruption), else the whole call.
        evidence = tuple(
            Evidence(
                None,
                scope.speaker,
                item.start,
                item.end,
                f"{check.metric} = {value:g}",
                limits,
                value,
                "metric",
            )
            for item in stretches or (Interval(0.0, scope.duration),)
        )
        reason = because(
            "metric_outside" if verdict == "fail" else "metric_within",
            metric=word(check.metric),
            value=f"{value:g}",
            limits=limits,
        )
        return CheckResult("metric", verdict, sureness, value, nearest, evidence=evidence, **reason)
