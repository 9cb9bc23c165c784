"""End to end: the four services as separate processes on the session's real broker.

The `cluster`, `pool` and `driver` fixtures live in tests/conftest.py (shared with the
fault tests).
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.kafka)
            item.add_marker(pytest.mark.e2e)
