"""Logging writes to the stderr of the moment, not to the one it was configured with."""

from __future__ import annotations

import io
import sys

import pytest
import structlog

from services.kit.logging import configure_logging


def test_logging_goes_on_after_the_stderr_it_was_configured_with_is_closed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    swapped = io.StringIO()
    real, sys.stderr = sys.stderr, swapped
    try:
        configure_logging("test", "INFO")
        structlog.get_logger("t").info("while swapped")
    finally:
        sys.stderr = real
        swapped.close()

    structlog.get_logger("t").info("after the swap")

    assert "after the swap" in capsys.readouterr().err
