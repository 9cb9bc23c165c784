"""Structured logging (structlog): one JSON object a line, personal data masked.

Masking: ID numbers keep their first 3 and last 3 digits; values of keys that
carry personal data (names, birth dates, passport numbers) are replaced.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["configure_logging", "mask_personal_data"]

_ID_NUMBER = re.compile(r"(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)")
_PERSONAL_KEYS = frozenset(
    {"full_name", "birth_date", "passport_number", "name", "id_number", "spouse_id_number"}
)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return _ID_NUMBER.sub(r"\1******\2", value)
    return value


def mask_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask ID numbers everywhere, personal-data keys wholly."""
    for key, value in list(event_dict.items()):
        if key in _PERSONAL_KEYS and key != "id_number":
            event_dict[key] = "***"
        else:
            event_dict[key] = _mask_value(value)
    return event_dict


def configure_logging(service: str, level: str = "INFO", json_lines: bool = True) -> None:
    """Configure structlog and the standard library for one process."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    logging.basicConfig(stream=sys.stderr, level=numeric, format="%(message)s", force=True)
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    for noisy in ("aiokafka", "faststream", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
