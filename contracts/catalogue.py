"""The catalogue of the essential procedures (docs/design.md): data in ``catalogue.json``.

How many procedures there are is the data's to say (the packaged file holds the published
25): a :class:`Catalogue` of N entries is numbered 1 to N without gaps, with unique codes
and linked steps only on 15 and 16. The default routing (only 9, 10, 11 on the city portal)
is checked by :func:`load_catalogue` on the packaged file only: scenarios move procedures
with overrides."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from contracts.catalogue_messages import validation_problems
from contracts.people import PersonRole

__all__ = [
    "CITY_PORTAL_PROCEDURES",
    "Catalogue",
    "CatalogueError",
    "CivilStatusEffect",
    "Fee",
    "LinkedStep",
    "Portal",
    "Procedure",
    "check_default_routing",
    "load_catalogue",
]

CATALOGUE_FILE = "catalogue.json"
CITY_PORTAL_PROCEDURES = (9, 10, 11)
LINKED_GROUPS = (15, 16)
NATIONAL_CODE = r"^[0-9]\.[0-9]{6}$"

Text = Annotated[str, Field(min_length=1)]


class Portal(StrEnum):
    """A portal that settles dossiers: the city portal, the national portal or an adapter."""

    CITY_PORTAL = "city_portal"
    NATIONAL_PORTAL = "national_portal"
    MINISTRY_PUBLIC_SECURITY = "ministry.public_security"
    MINISTRY_JUSTICE = "ministry.justice"
    MINISTRY_SOCIAL_INSURANCE = "ministry.social_insurance"
    MINISTRY_TAX = "ministry.tax"
    MINISTRY_EDUCATION = "ministry.education"
    MINISTRY_LABOUR = "ministry.labour"
    MINISTRY_TRANSPORT = "ministry.transport"
    UTILITY_POWER = "utility.power"

    @property
    def is_ministry(self) -> bool:
        """A ministry portal (cổng DVC bộ, ngành)."""
        return self.value.startswith("ministry.")

    @property
    def via_national_portal(self) -> bool:
        """Reached through the national portal's adapters (a ministry or the power utility)."""
        return self not in (Portal.CITY_PORTAL, Portal.NATIONAL_PORTAL)


class CivilStatusEffect(StrEnum):
    """What a settled dossier changes in the population database (CSDL quốc gia về dân cư)."""

    BIRTH = "birth"
    DEATH = "death"
    MARRIAGE = "marriage"
    PERMANENT_RESIDENCE = "permanent_residence"


class CatalogueError(ValueError):
    """The catalogue is broken; ``problems`` lists each problem, naming entry and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Fee(_Frozen):
    """Fee or charge (phí, lệ phí) in Vietnamese đồng; 0 means free."""

    paper: int = Field(ge=0, description="Fee in đồng for a paper dossier at a desk.")
    online: int = Field(ge=0, description="Fee in đồng for an online dossier.")


class LinkedStep(_Frozen):
    """One step of a linked group (thủ tục liên thông), settled by its own portal."""

    name_vi: Text = Field(description="Vietnamese name of the step.")
    name_en: Text = Field(description="English name of the step.")
    settled_by: Portal = Field(description="Portal that settles this step.")
    procedure_number: int | None = Field(None, description="Its number, if in the catalogue.")


class Procedure(_Frozen):
    """An administrative procedure (thủ tục hành chính, TTHC) offered as an online service."""

    number: int = Field(ge=1, description="Number in the list, 1 to the catalogue's length.")
    code: str = Field(
        pattern=r"^([0-9]\.[0-9]{6}|HN\.P06\.[0-9]{2})$",
        description="National procedure code (mã TTHC, e.g. 1.001193) or local HN.P06.NN.",
    )
    code_is_local: bool = Field(description="True when no national code was found.")
    related_codes: tuple[Annotated[str, Field(pattern=NATIONAL_CODE)], ...] = Field(
        (), description="Further national codes it covers."
    )
    name_vi: Text = Field(description="Vietnamese name (tên thủ tục).")
    name_en: Text = Field(description="English name.")
    authority: Text = Field(description="Owning authority (cơ quan thực hiện).")
    settled_by: Portal = Field(description="Portal that settles it by default.")
    legal_time_limit_days: int | None = Field(None, ge=0, description="Working days; 0 = same day.")
    extended_time_limit_days: int | None = Field(None, ge=0, description="Limit in harder cases.")
    fee_vnd: Fee | None = Field(None, description="Fee in đồng; null when unknown.")
    linked_steps: tuple[LinkedStep, ...] = Field((), description="Steps of a linked group.")
    persons: tuple[PersonRole, ...] = Field(description="Roles whose identity is checked.")
    min_applicant_age: int | None = Field(None, ge=0, description="Minimum applicant age.")
    civil_status_effect: CivilStatusEffect | None = Field(
        None, description="Change to the population database when settled."
    )
    notes: str = Field("", description="Free-text notes and sources.")

    @model_validator(mode="after")
    def _check_consistency(self) -> Procedure:
        local, looks_local = f"HN.P06.{self.number:02d}", self.code.startswith("HN.")
        if self.code_is_local != looks_local or (looks_local and self.code != local):
            raise ValueError(f"field 'code': a local code (code_is_local) is {local!r} here")
        if PersonRole.APPLICANT not in self.persons or len(set(self.persons)) < len(self.persons):
            raise ValueError("field 'persons': must name 'applicant' and no role twice")
        legal, extended = self.legal_time_limit_days, self.extended_time_limit_days
        if extended is not None and (legal is None or extended < legal):
            raise ValueError("field 'extended_time_limit_days': must follow a shorter legal limit")
        if self.linked_steps and self.civil_status_effect is not None:
            raise ValueError("field 'civil_status_effect': a linked group's effects are its steps'")
        return self


class Catalogue(_Frozen):
    """The catalogue of the essential online public services (dịch vụ công thiết yếu)."""

    description: str = Field("", description="What this catalogue is and its sources.")
    procedures: tuple[Procedure, ...] = Field(
        min_length=1, description="The procedures, numbered 1 to N without gaps."
    )
    _by_code: dict[str, Procedure] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_catalogue(self) -> Catalogue:
        if problems := _catalogue_problems(self.procedures):
            raise ValueError("\n".join(problems))
        for procedure in self.procedures:  # every event's procedure code is looked up here
            for code in (procedure.code, *procedure.related_codes):
                self._by_code.setdefault(code, procedure)
        return self

    def by_number(self, number: int) -> Procedure:
        """The procedure numbered ``number``; ``KeyError`` if none."""
        for procedure in self.procedures:
            if procedure.number == number:
                return procedure
        raise KeyError(f"no procedure is numbered {number}")

    def by_code(self, code: str) -> Procedure:
        """The procedure with this code, its own or one of its related codes; ``KeyError``."""
        found = self._by_code.get(code)
        if found is None:
            raise KeyError(f"no procedure has code {code!r}")
        return found

    def settled_on(self, portal: Portal | str) -> tuple[Procedure, ...]:
        """The procedures that ``portal`` settles, in catalogue order."""
        return tuple(p for p in self.procedures if p.settled_by == Portal(portal))

    def with_overrides(self, overrides: Mapping[str, Portal | str]) -> Catalogue:
        """A re-validated copy with procedures moved to other portals: ``{code: portal}``.

        Linked steps naming a moved procedure move too; unknown code or portal: CatalogueError.
        """
        data = self.model_dump(mode="json")
        for code, portal in overrides.items():
            try:
                number = self.by_code(code).number
                portal = Portal(portal)
            except (KeyError, ValueError) as exc:
                raise CatalogueError([f"overrides: {code!r}: {exc.args[0]}"]) from None
            for entry in data["procedures"]:
                if entry["number"] == number:
                    entry["settled_by"] = str(portal)
                for step in entry["linked_steps"]:
                    if step["procedure_number"] == number:
                        step["settled_by"] = str(portal)
        return _validate(data, "overrides")


def _catalogue_problems(procedures: tuple[Procedure, ...]) -> list[str]:
    problems: list[str] = []
    numbers, count = Counter(p.number for p in procedures), len(procedures)
    missing = ", ".join(str(n) for n in range(1, count + 1) if n not in numbers) or "none"
    beyond = ", ".join(str(n) for n in sorted(numbers) if n > count) or "none"
    if (missing, beyond) != ("none", "none"):
        rule = f"{count} entries must be numbered 1 to {count}"
        problems.append(f"field 'procedures': {rule} (missing {missing}; beyond {count}: {beyond})")
    by_number = {p.number: p for p in procedures}
    owner: dict[str, Procedure] = {}
    for p in procedures:
        label = f"entry {p.number} ({p.code})"
        if numbers[p.number] > 1:
            problems.append(f"{label}: field 'number': {p.number} is used by more than one entry")
        for code in (p.code, *p.related_codes):
            if owner.setdefault(code, p) is not p:
                problems.append(
                    f"{label}: field 'code': {code!r} is also used by entry {owner[code].number}"
                )
        if bool(p.linked_steps) != (p.number in LINKED_GROUPS):
            problems.append(f"{label}: field 'linked_steps': only groups 15 and 16 have steps")
        for i, step in enumerate(p.linked_steps):
            target = by_number.get(step.procedure_number or 0)
            where = f"{label}: field 'linked_steps.{i}"
            if step.procedure_number is not None and (target is None or target.linked_steps):
                problems.append(f"{where}.procedure_number': not a single procedure")
            elif target is not None and target.settled_by != step.settled_by:
                problems.append(f"{where}.settled_by': must equal entry {target.number}'s")
    return problems


def check_default_routing(catalogue: Catalogue, source: str = CATALOGUE_FILE) -> None:
    """Raise :class:`CatalogueError` unless exactly 9, 10, 11 settle on the city portal."""
    on_city = tuple(p.number for p in catalogue.settled_on(Portal.CITY_PORTAL))
    if on_city != CITY_PORTAL_PROCEDURES:
        found = ", ".join(map(str, on_city)) or "none"
        message = f"by default exactly 9, 10, 11 settle on the city portal, found {found}"
        raise CatalogueError([f"{source}: field 'settled_by': {message}"])


def _validate(raw: Any, source: str) -> Catalogue:
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueError(validation_problems(exc, raw, source)) from exc


def _parse(text: str, source: str) -> Catalogue:
    try:
        return _validate(json.loads(text), source)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise CatalogueError([f"{source}: not valid JSON at {where}: {exc.msg}"]) from exc


@lru_cache(maxsize=1)
def _load_default() -> Catalogue:
    resource = Path(__file__).with_name(CATALOGUE_FILE)
    catalogue = _parse(resource.read_text(encoding="utf-8"), CATALOGUE_FILE)
    check_default_routing(catalogue)
    return catalogue


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue in ``path``, or the packaged one (cached, default routing checked).

    Raises :class:`CatalogueError` naming file, entry and field of each problem.
    """
    if path is None:
        return _load_default()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError([f"{Path(path).name}: cannot read: {exc}"]) from exc
    return _parse(text, Path(path).name)
