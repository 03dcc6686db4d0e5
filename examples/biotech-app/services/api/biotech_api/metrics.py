"""Prometheus metrics, one registry per application instance."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter(
            "biotech_api_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "biotech_api_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=r,
        )
        self.analyses_started = Counter(
            "biotech_api_analyses_started_total", "Step Functions executions started", registry=r
        )
        self.uploads_completed = Counter(
            "biotech_api_uploads_completed_total", "Multipart uploads completed", registry=r
        )
        self.completion_events = Counter(
            "biotech_api_completion_events_total", "Completion events consumed", ["outcome"], registry=r
        )
