"""What a handler or a store raises to steer its batch: reject one event, or retry them all."""

from __future__ import annotations

__all__ = ["RejectEvent", "TransientStoreError"]


class RejectEvent(Exception):  # noqa: N818 - it is a signal, not an error of the service
    """Raised by a handler for an event that is valid JSON but can never be handled."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class TransientStoreError(Exception):
    """The store was busy or locked: the whole batch is retried with backoff."""
