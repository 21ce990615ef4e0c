"""Prometheus metrics. One `Metrics` per container, each with its own registry; under
`serve --workers N` every worker writes to PROMETHEUS_MULTIPROC_DIR and `/metrics` sums them."""

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
EXPOSITION_MEDIA_TYPE = "text/plain; version=0.0.4"  # the server adds "; charset=utf-8"
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_WEBHOOK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self, mongodb_embedded: bool = False) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.tokens_issued = Counter(
            "realtime_tokens_issued",
            "LiveKit tokens issued, by the route that issued them",
            ["route"],
            registry=self.registry,
        )
        self.errors = Counter(
            "realtime_tokens_errors",
            "Problem responses, by their stable `code`",
            ["code"],
            registry=self.registry,
        )
        self.request_duration = Histogram(
            "realtime_tokens_http_request_duration_seconds",
            "HTTP request latency, by method, route template and status",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.mongodb_command_duration = Histogram(
            "realtime_tokens_mongodb_command_duration_seconds",
            "MongoDB command latency, by command name and outcome",
            ["command", "outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.mongodb_embedded = Gauge(
            "realtime_tokens_mongodb_embedded",
            "1 when the database is the embedded dev server (nx-27017), 0 for a real MongoDB",
            registry=self.registry,
            multiprocess_mode="max",
        )
        self.mongodb_embedded.set(1 if mongodb_embedded else 0)
        self.webhook_deliveries = Counter(
            "realtime_tokens_webhook_attempts",
            "Webhook delivery attempts, by outcome: delivered, retrying (failed, another "
            "attempt scheduled), failed (no attempt left, 410 Gone, endpoint gone) or error "
            "(the attempt raised before it was recorded)",
            ["outcome"],
            registry=self.registry,
        )
        self.webhook_attempt_duration = Histogram(
            "realtime_tokens_webhook_attempt_duration_seconds",
            "Webhook attempt latency, from connecting to reading the answer",
            buckets=_WEBHOOK_BUCKETS,
            registry=self.registry,
        )
        self.webhook_oldest_pending = Gauge(
            "realtime_tokens_webhook_oldest_pending_seconds",
            "Age of the oldest webhook delivery still pending (0 when none): the backlog",
            registry=self.registry,
            multiprocess_mode="max",
        )
        self.webhook_deliveries_dropped = Counter(
            "realtime_tokens_webhook_deliveries_dropped",
            "Webhook deliveries not stored: their endpoint had WEBHOOK_MAX_PENDING_PER_ENDPOINT "
            "pending already",
            registry=self.registry,
        )
        self.unreadable_documents = Counter(
            "realtime_tokens_unreadable_documents",
            "Stored documents this version cannot read (a field missing or of another type), "
            "by collection: each counted once per process, logged with its _id",
            ["collection"],
            registry=self.registry,
        )

    def count_unreadable_document(self, collection: str) -> None:
        self.unreadable_documents.labels(collection).inc()

    def observe_webhook_attempt(self, outcome: str, seconds: float) -> None:
        self.webhook_deliveries.labels(outcome).inc()
        self.webhook_attempt_duration.observe(seconds)

    def observe_mongodb_command(self, command: str, seconds: float, succeeded: bool) -> None:
        outcome = "ok" if succeeded else "error"
        self.mongodb_command_duration.labels(command, outcome).observe(seconds)

    def exposition(self) -> bytes:
        """The text format of this process's metrics, or of every worker's in multiprocess mode."""
        if not os.environ.get(MULTIPROC_ENV):
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        return generate_latest(merged)
