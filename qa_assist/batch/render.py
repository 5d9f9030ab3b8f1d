"""The day's report as files: HTML (jinja2) for reading, XLSX (openpyxl) for sorting and
filtering. Labels are Chinese first with English after them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from ..analytics import Cell, GroupLine, Link, Table, write_workbook
from ..atomic import write_atomically
from .report import DayReport


@cache
def labels() -> dict[str, str]:
    """Every label as "中文 English"."""
    text = (resources.files(__package__) / "report_labels.yaml").read_text(encoding="utf-8")
    return {key: f"{value['zh']} {value['en']}" for key, value in yaml.safe_load(text).items()}


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def render_html(report: DayReport) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader(__package__, "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("report.html")
    return template.render(r=report, l=labels(), num=_number, pct=_percent)


def _link(call_id: int, url: str) -> Link:
    return Link(f"#{call_id}", url)


def _groups(lines: Sequence[GroupLine]) -> list[list[Cell]]:
    return [[g.name, g.calls, g.average, g.fatal, g.to_review] for g in lines]


def report_tables(report: DayReport) -> dict[str, Table]:
    """The report's tables by name (``summary``, ``agents``... ``failures``), headers "中文
    English", titles in Chinese (Excel's sheet names are short)."""
    l = labels()
    sections: list[tuple[str, Sequence[str], list[list[Cell]]]] = [
        (
            "summary",
            ("summary", "count"),
            [
                [l["calls"], len(report.calls)],
                [l["scored"], len(report.scored)],
                [l["scored_in_runs"], report.scored_in_runs],
                [l["skipped"], report.skipped_in_runs],
                [l["failed"], len(report.failures)],
                [l["average"], report.average],
                [l["fatal"], len(report.fatal)],
                [l["to_review"], len(report.to_review)],
                [l["audio_hours"], report.audio_hours],
                [l["low_share"], report.low_confidence_share],
            ],
        ),
        ("agents", ("agent", "calls", "average", "fatal", "to_review"), _groups(report.agents)),
        ("teams", ("team", "calls", "average", "fatal", "to_review"), _groups(report.teams)),
        (
            "fatal_calls",
            ("call", "file", "agent", "team", "fatal_items"),
            [
                [_link(c.call_id, c.url), c.file_name, c.agent, c.team, "、".join(c.items)]
                for c in report.fatal
            ],
        ),
        (
            "failed_items",
            ("item", "failed_count", "judged", "fail_rate"),
            [[f"{i.title_zh} {i.title_en}", i.failed, i.judged, i.rate] for i in report.items],
        ),
        (
            "review_calls",
            ("call", "file", "agent", "score", "confidence", "unsure_items"),
            [
                [_link(c.call_id, c.url), c.file_name, c.agent, c.total, c.confidence]
                + ["、".join(c.items)]
                for c in report.to_review
            ],
        ),
        (
            "categories",
            ("category", "count", "share", "baseline", "alerts"),
            [
                [
                    f"{c.zh} {c.en}",
                    c.count,
                    c.share,
                    c.baseline_share,
                    l["flagged"] if c.alert else "",
                ]
                for c in report.categories
            ],
        ),
        (
            "health",
            ("call", "file", "word_probability", "unsure_share", "low"),
            [
                [_link(h.call_id, h.url), h.file_name, h.word_probability, h.unsure_share]
                + [l["flagged"] if h.low else ""]
                for h in report.health
            ],
        ),
        ("failures", ("source", "reason"), [[f.source, f.reason] for f in report.failures]),
    ]
    return {
        key: Table(
            l[key].split(" ")[0],
            tuple(l[name] for name in header),
            tuple(tuple(row) for row in rows),
        )
        for key, header, rows in sections
    }


def write_report(report: DayReport, folder: Path) -> tuple[Path, Path]:
    """``report-<date>.html`` and ``.xlsx`` in ``folder``, replacing the day's previous ones."""
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / f"report-{report.day.isoformat()}.html"
    xlsx = html.with_suffix(".xlsx")
    write_atomically(html, lambda path: path.write_text(render_html(report), encoding="utf-8"))
    write_atomically(xlsx, lambda path: write_workbook(list(report_tables(report).values()), path))
    return html, xlsx
