"""Prometheus metrics of the service: the queue and the stored calls read from the database at
scrape time (true across processes and restarts), processing times observed in this process.

Each app has its own registry, so that several apps in one process (tests) do not collide.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ..storage import CallQuery, CallStore
from .store import JobStore

#: Seconds: from a short clip to a long call on 2 cores.
PROCESSING_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600)


class _DatabaseCollector(Collector):
    def __init__(self, jobs: JobStore, calls: CallStore) -> None:
        self.jobs = jobs
        self.calls = calls

    def describe(self) -> list[Metric]:
        # Nothing is read at registration: the database is only asked when scraped.
        return []

    def collect(self) -> Iterator[Metric]:
        counts = self.jobs.counts()
        depth = GaugeMetricFamily(
            "qa_assist_jobs", "Upload jobs in the queue by status.", labels=["status"]
        )
        for field in fields(counts):
            depth.add_metric([field.name], getattr(counts, field.name))
        yield depth
        yield CounterMetricFamily(
            "qa_assist_jobs_failed", "Upload jobs that failed, ever.", value=counts.failed
        )
        _, stored = self.calls.list_calls(CallQuery(limit=1))
        yield GaugeMetricFamily("qa_assist_calls_stored", "Calls in the database.", value=stored)


class ServiceMetrics:
    def __init__(self, jobs: JobStore, calls: CallStore) -> None:
        self.registry = CollectorRegistry()
        self.processing_seconds = Histogram(
            "qa_assist_job_processing_seconds",
            "Wall seconds from claiming an upload job to its call stored and scored.",
            buckets=PROCESSING_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_DatabaseCollector(jobs, calls))

    def observe_job(self, seconds: float) -> None:
        self.processing_seconds.observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition format."""
        return generate_latest(self.registry)
