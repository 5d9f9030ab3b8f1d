"""What the dashboard and the daily report sum up: per-call facts from the database, groups
(agent, team, day), the rubric items that fail most, ticket categories and their spikes, and
tables written as XLSX or CSV."""

from .categories import (
    UNCLASSIFIED,
    Categorised,
    CategoryLine,
    category_counts,
    category_names,
    spike_lines,
)
from .dashboard import Bucket, CategoryTrend, Dashboard, build_dashboard
from .facts import CallFacts, load_facts
from .groups import UNASSIGNED, GroupLine, average, group_line, group_lines
from .items import ItemLine, item_failures
from .tables import Cell, Link, Table, csv_bytes, workbook_bytes, write_workbook

__all__ = [
    "UNASSIGNED",
    "UNCLASSIFIED",
    "Bucket",
    "CallFacts",
    "Categorised",
    "CategoryLine",
    "CategoryTrend",
    "Cell",
    "Dashboard",
    "GroupLine",
    "ItemLine",
    "Link",
    "Table",
    "average",
    "build_dashboard",
    "category_counts",
    "category_names",
    "csv_bytes",
    "group_line",
    "group_lines",
    "item_failures",
    "load_facts",
    "spike_lines",
    "workbook_bytes",
    "write_workbook",
]
