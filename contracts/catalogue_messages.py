"""The catalogue's validation errors as lines a person can act on.

pydantic names a problem by its location (``procedures.3.settled_by``); these lines name
the file, the entry by its number and code, and the field.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

__all__ = ["validation_problems"]


def _entry_label(raw: Any, index: int) -> str:
    try:
        entry = raw["procedures"][index]
        return f"entry {int(entry['number'])} ({entry['code']})"
    except (KeyError, IndexError, TypeError, ValueError):
        return f"entry at position {index + 1}"


def validation_problems(exc: ValidationError, raw: Any, source: str) -> list[str]:
    """One line per problem pydantic found: file, entry (by number and code) and field."""
    problems: list[str] = []
    for err in exc.errors():
        message = str(err["ctx"]["error"]) if err["type"] == "value_error" else err["msg"]
        loc = err["loc"]
        prefix = f"{source}: "
        if len(loc) >= 2 and loc[0] == "procedures" and isinstance(loc[1], int):
            prefix += f"{_entry_label(raw, loc[1])}: "
            loc = loc[2:]
        if loc:
            prefix += f"field '{'.'.join(map(str, loc))}': "
        problems.extend(prefix + line for line in message.splitlines())
    return problems
