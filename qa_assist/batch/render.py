"""The day's report as files: HTML (jinja2) for reading, XLSX (openpyxl) for sorting and
filtering. Labels are Chinese first with English after them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..atomic import write_atomically
from .report import DayReport, GroupLine


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


def _link(call_id: int, url: str) -> tuple[str, str]:
    return f"#{call_id}", url


def _groups(lines: Sequence[GroupLine]) -> list[list[Any]]:
    return [[g.name, g.calls, g.average, g.fatal, g.to_review] for g in lines]


def _sheets(report: DayReport) -> list[tuple[str, Sequence[str], list[list[Any]]]]:
    """(sheet title, header keys, rows); a cell that is ``(text, url)`` becomes a link."""
    l = labels()
    return [
        (
            l["summary"],
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
        (l["agents"], ("agent", "calls", "average", "fatal", "to_review"), _groups(report.agents)),
        (l["teams"], ("team", "calls", "average", "fatal", "to_review"), _groups(report.teams)),
        (
            l["fatal_calls"],
            ("call", "file", "agent", "team", "fatal_items"),
            [
                [_link(c.call_id, c.url), c.file_name, c.agent, c.team, "、".join(c.items)]
                for c in report.fatal
            ],
        ),
        (
            l["failed_items"],
            ("item", "failed_count", "judged", "fail_rate"),
            [[f"{i.title_zh} {i.title_en}", i.failed, i.judged, i.rate] for i in report.items],
        ),
        (
            l["review_calls"],
            ("call", "file", "agent", "score", "confidence", "unsure_items"),
            [
                [_link(c.call_id, c.url), c.file_name, c.agent, c.total, c.confidence]
                + ["、".join(c.items)]
                for c in report.to_review
            ],
        ),
        (
            l["categories"],
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
            l["health"],
            ("call", "file", "word_probability", "unsure_share", "low"),
            [
                [_link(h.call_id, h.url), h.file_name, h.word_probability, h.unsure_share]
                + [l["flagged"] if h.low else ""]
                for h in report.health
            ],
        ),
        (l["failures"], ("source", "reason"), [[f.source, f.reason] for f in report.failures]),
    ]


def _write_xlsx(report: DayReport, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in _sheets(report):
        # Sheet titles: at most 31 characters, the Chinese part is enough.
        sheet = workbook.create_sheet(title.split(" ")[0][:31])
        sheet.append([labels()[key] for key in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([value[0] if isinstance(value, tuple) else value for value in row])
            for column, value in enumerate(row, start=1):
                if isinstance(value, tuple):
                    cell = sheet.cell(row=sheet.max_row, column=column)
                    cell.hyperlink, cell.style = value[1], "Hyperlink"
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, 4 + 1.6 * width)
    workbook.save(path)


def write_report(report: DayReport, folder: Path) -> tuple[Path, Path]:
    """``report-<date>.html`` and ``.xlsx`` in ``folder``, replacing the day's previous ones."""
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / f"report-{report.day.isoformat()}.html"
    xlsx = html.with_suffix(".xlsx")
    write_atomically(html, lambda path: path.write_text(render_html(report), encoding="utf-8"))
    write_atomically(xlsx, lambda path: _write_xlsx(report, path))
    return html, xlsx
