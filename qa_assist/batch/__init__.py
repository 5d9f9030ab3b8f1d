"""The nightly batch: score every recording of a day on local worker processes or a Ray
cluster, resumably, and write the day's report (HTML, XLSX).

``collect_inputs`` reads folders and manifests, ``run_batch`` processes them and records each
outcome, ``build_report`` and ``write_report`` make the report from the database.
"""

from .inputs import BatchInput, CollectedInputs, InputProblem, collect_inputs, read_manifest
from .render import render_html, write_report
from .report import DayReport, build_report
from .runner import BatchOptions, BatchSummary, Progress, cpu_cores, plan_workers, run_batch

__all__ = [
    "BatchInput",
    "BatchOptions",
    "BatchSummary",
    "CollectedInputs",
    "DayReport",
    "InputProblem",
    "Progress",
    "build_report",
    "collect_inputs",
    "cpu_cores",
    "plan_workers",
    "read_manifest",
    "render_html",
    "run_batch",
    "write_report",
]
