"""Structured logging (structlog) for a service or the CLI: one line an event, personal data masked.

structlog's own lines and the standard library's (uvicorn, aiokafka, FastStream, ...)
go through the same processors: level, timestamp, exception text, then the masking of
services/kit/masking.py (driven by the contracts' tags), then one renderer (JSON lines,
or a console line). Exceptions are rendered as plain text before the masking, so their
messages are masked too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.typing import Processor

from services.kit.masking import mask_personal_data

__all__ = ["FOREIGN_LOGGERS", "configure_logging", "log_level_number", "mask_personal_data"]

FOREIGN_LOGGERS = ("faststream", "uvicorn", "uvicorn.error", "uvicorn.access")
"""Libraries' loggers that bring their own handlers; theirs are removed so ours mask them."""
_QUIET_LOGGERS = ("aiokafka", "faststream", "uvicorn.access", "httpx", "httpcore")
"""Loggers kept at WARNING or above: per-message or per-request chatter."""


def log_level_number(level: str) -> int:
    """DEBUG, INFO, WARNING, ERROR (any case) as a number; INFO for anything else."""
    numeric = logging.getLevelName(level.upper())
    return numeric if isinstance(numeric, int) else logging.INFO


def _renderer(json_lines: bool) -> Processor:
    if json_lines:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(
        colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
    )


def _add_service(service: str) -> Processor:
    """A processor naming the process on every line, whichever thread logs it."""

    def add(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
        event_dict.setdefault("service", service)
        return event_dict

    return add


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is at the moment of writing.

    Binding the stream object at configuration time breaks when it is swapped and closed
    later (typer's CliRunner, pytest's capture): every later line would raise.
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_STDERR: Any = _CurrentStderr()


def _stdlib_handler(service: str, renderer: Processor) -> logging.Handler:
    """A stderr handler rendering standard-library records like structlog's, masked."""
    handler = logging.StreamHandler(_STDERR)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                _add_service(service),
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[
                structlog.processors.format_exc_info,
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                mask_personal_data,
                renderer,
            ],
        )
    )
    return handler


def configure_logging(service: str, level: str = "INFO", json_lines: bool = True) -> None:
    """Configure structlog and the standard library for one process (a service or the CLI)."""
    numeric = log_level_number(level)
    renderer = _renderer(json_lines)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(_stdlib_handler(service, renderer))
    root.setLevel(numeric)
    for name in FOREIGN_LOGGERS:
        foreign = logging.getLogger(name)
        foreign.handlers.clear()
        foreign.propagate = True
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _add_service(service),
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            mask_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_STDERR),
        cache_logger_on_first_use=True,
    )
