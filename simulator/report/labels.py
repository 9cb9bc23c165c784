"""Readable names, number formats and Markdown tables shared by the headline, the Markdown
and the plots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = [
    "fmt_days",
    "fmt_int",
    "fmt_limit",
    "fmt_ms",
    "fmt_pct",
    "fmt_simtime",
    "label",
    "short_name",
    "table",
]

LABELS = {
    "city_portal": "city portal",
    "national_portal": "national portal",
    "ministry.public_security": "Public Security",
    "ministry.justice": "Justice",
    "ministry.social_insurance": "Social Insurance",
    "ministry.tax": "Tax",
    "ministry.education": "Education",
    "ministry.labour": "Labour",
    "ministry.transport": "Transport",
    "utility.power": "power utility",
    "one_stop": "one-stop desk (returned)",
    "linked": "linked groups (15, 16)",
    "desk_returned": "returned at the desk",
    "all": "all paths",
}


def label(key: str) -> str:
    """A portal or path key as people say it (unknown keys unchanged)."""
    return LABELS.get(key, key)


def short_name(name: str, width: int = 24) -> str:
    """A name cut to ``width`` characters with an ellipsis."""
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def fmt_int(value: int | float | None) -> str:
    """1,234 (— for None)."""
    return "—" if value is None else f"{value:,.0f}"


def fmt_pct(rate: float | None, digits: int = 1) -> str:
    """A 0-1 share as a percentage (— for None)."""
    return "—" if rate is None else f"{rate * 100:.{digits}f}%"


def fmt_ms(value: float | None) -> str:
    """Milliseconds, no decimals (— for None)."""
    return "—" if value is None else f"{value:,.0f} ms"


def fmt_days(value: float | None) -> str:
    """Working days with up to two decimals (— for None)."""
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def fmt_limit(days: int | None) -> str:
    """A legal time limit in working days: 'same day' for 0 (— for None)."""
    if days is None:
        return "—"
    return "same day" if days == 0 else str(days)


def fmt_simtime(stamp: str | None) -> str:
    """An ISO simulated time as 'YYYY-MM-DD HH:MM' (local to its offset; — for None)."""
    if not stamp:
        return "—"
    return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table (cells escaped), as lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines
