"""Field types shared by the payload modules (`contracts.events`, `contracts.intake_events`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ConfigDict

from contracts.catalogue import load_catalogue

__all__ = ["FROZEN", "FormValue", "ProcedureCode"]

#: One value of a procedure's form.
FormValue = str | int | bool | None

#: Payloads are immutable and refuse unknown fields.
FROZEN = ConfigDict(frozen=True, extra="forbid")


def _known_procedure(code: str) -> str:
    try:
        load_catalogue().by_code(code)
    except KeyError:
        raise ValueError(f"unknown procedure code {code!r}") from None
    return code


#: A code of the catalogue (mã TTHC, or a local HN.P06.NN code); others are invalid payloads.
ProcedureCode = Annotated[str, AfterValidator(_known_procedure)]
