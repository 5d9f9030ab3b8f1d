"""Calibration arithmetic: Cohen's κ, agreement, total MAE and threshold suggestions."""

from __future__ import annotations

import pytest
from sklearn.metrics import cohen_kappa_score

from qa_assist.score import load_rubric, parse_rubric, score_transcript
from qa_assist.score.calibration import HumanScore, calibrate, cohen_kappa, format_report

from .test_score import call, metrics


@pytest.mark.parametrize(
    ("auto", "human"),
    [
        (["pass", "pass", "fail", "fail", "pass"], ["pass", "fail", "fail", "fail", "pass"]),
        (
            ["pass", "not_applicable", "fail", "needs_review"],
            ["pass", "not_applicable", "pass", "fail"],
        ),
    ],
)
def test_kappa_matches_scikit_learn(auto: list[str], human: list[str]) -> None:
    assert cohen_kappa(auto, human) == pytest.approx(cohen_kappa_score(auto, human), abs=1e-3)


def test_kappa_is_undefined_when_both_always_say_the_same() -> None:
    assert cohen_kappa(["pass"] * 3, ["pass"] * 3) is None


RUBRIC = parse_rubric(
    """
id: apology-only
version: "1"
title: {zh: 致歉, en: Apology}
items:
  - id: apology
    title: {zh: 致歉, en: Apology}
    points: 10
    checks: [{type: phrase, phrases: [非常抱歉], threshold: 0.95}]
""",
    "test",
)


def test_a_threshold_too_strict_for_asr_errors_is_suggested_lower() -> None:
    heard = ["非常抱歉", "非常报歉啊", "飞常抱", "非长抱欠", "好的收到", "我知道了", "您稍等"]
    said = ["pass", "pass", "pass", "pass", "fail", "fail", "fail"]
    pairs = [
        (
            score_transcript(call((1, "agent", text), metrics=metrics()), RUBRIC),
            HumanScore(str(i), {"apology": verdict}),
        )
        for i, (text, verdict) in enumerate(zip(heard, said))
    ]
    report = calibrate(pairs, [RUBRIC])
    assert report.agreement < 1 and report.total_mae > 0
    (suggestion,) = report.suggestions
    assert suggestion.item_id == "apology" and suggestion.current == 0.95
    assert 0.25 < suggestion.suggested < 0.95 and suggestion.agreement_then == 1.0
    assert "apology check 0 (phrase): 0.95 ->" in format_report(report)


def test_people_agreeing_with_everything_gives_full_agreement() -> None:
    score = score_transcript(
        call((1, "agent", "您好，客服中心，工号一零二四。"), metrics=metrics()),
        load_rubric("general"),
    )
    human = HumanScore("1", {item.item_id: item.verdict for item in score.items})
    report = calibrate([(score, human)], [load_rubric("general")])
    assert report.agreement == 1.0 and report.total_mae == 0.0 and report.suggestions == ()
