"""Consumer of ``Analysis Completed`` events delivered to SQS (``COMPLETION_QUEUE_URL``).

Runs in a daemon thread; it opens a database connection only when a message arrives, so an
idle deployment lets the hml database pause. Messages are deleted once applied (or found
irrelevant); on a database or S3 error they stay and are retried after the visibility timeout.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy.exc import SQLAlchemyError

from .analyses import apply_completion_event
from .context import AppContext

log = logging.getLogger("biotech_api.consumer")

SOURCE = "cdk-proteomics-platform"
DETAIL_TYPE = "Analysis Completed"


def _parse(body: str) -> tuple[dict[str, Any] | None, datetime | None]:
    try:
        doc = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(doc, dict):
        return None, None
    if "detail" in doc:  # full EventBridge envelope
        if doc.get("source") != SOURCE or doc.get("detail-type") != DETAIL_TYPE:
            return None, None
        detail = doc.get("detail")
        when = None
        if isinstance(doc.get("time"), str):
            try:
                when = datetime.fromisoformat(doc["time"].replace("Z", "+00:00"))
            except ValueError:
                when = None
        return (detail if isinstance(detail, dict) else None), when
    return doc, None  # detail only (input transformer)


def poll_once(ctx: AppContext, wait_seconds: int = 20) -> int:
    """Receive one batch and handle it; returns the number of messages received."""
    sqs = ctx.aws.sqs
    url = ctx.settings.completion_queue_url
    if sqs is None or not url:
        return 0
    resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds)
    messages = resp.get("Messages", [])
    for message in messages:
        detail, when = _parse(message.get("Body", ""))
        outcome = "invalid"
        try:
            if detail is not None:
                with ctx.sessions() as session:
                    outcome = apply_completion_event(ctx, session, detail, when)
        except (SQLAlchemyError, ClientError, BotoCoreError) as exc:
            ctx.metrics.completion_events.labels("retry").inc()
            log.warning("completion event not applied, will retry", extra={"error": type(exc).__name__})
            continue
        ctx.metrics.completion_events.labels(outcome).inc()
        log.info(
            "completion event", extra={"outcome": outcome, "analysis_id": (detail or {}).get("analysisId")}
        )
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)


class CompletionConsumer:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="completion-consumer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                poll_once(self._ctx)
            except (ClientError, BotoCoreError) as exc:
                log.warning("completion queue unreachable", extra={"error": type(exc).__name__})
                self._stop.wait(10)
