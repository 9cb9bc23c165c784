"""Bounded field types of the public HTTP request models.

The contracts' `FormValue` leaves strings unbounded (bounding them there would change
the events' wire schema); requests are bounded here instead, before they become events.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

__all__ = ["FORM_MAX_FIELDS", "FormKey", "HttpForm", "HttpFormValue"]

FORM_MAX_FIELDS = 50

FormKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
HttpFormValue = Annotated[str, StringConstraints(max_length=1000)] | int | bool | None
#: A procedure's form data as a request carries it: at most 50 fields, bounded texts.
HttpForm = Annotated[dict[FormKey, HttpFormValue], Field(max_length=FORM_MAX_FIELDS)]
