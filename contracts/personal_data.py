"""Personal data in the contracts: the tag a field carries, and the fields so tagged.

A field that carries personal data says so, and how it is to be masked, in its JSON
schema extras: `Field(..., json_schema_extra=personal(PersonalData.NAME))`. Log masking
is driven by these tags (`personal_fields`), never by a list of names kept by hand.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Any, get_args, get_origin

from pydantic import BaseModel

__all__ = [
    "FORM_PERSONAL_KEYS",
    "TAG",
    "TAG_BIRTH_DATE",
    "TAG_FORM",
    "TAG_ID_NUMBER",
    "TAG_NAME",
    "TAG_PASSPORT_NUMBER",
    "PersonalData",
    "looks_personal",
    "models_in",
    "personal",
    "personal_fields",
    "reachable_models",
    "tags_of",
    "untagged_personal_fields",
]

TAG = "personal_data"
"""The key of the JSON schema extras that marks a personal field."""

_LOOKS_PERSONAL = re.compile(
    r"(^|_)(id_numbers?|passport(_numbers?)?|birth_dates?|date_of_birth|full_names?"
    r"|(first|last|given|family|middle|maiden|person|spouse|father|mother|child)_names?)$"
)


class PersonalData(StrEnum):
    """The kinds of personal data, each masked its own way in logs."""

    ID_NUMBER = "id_number"
    """A 12-digit personal ID number: its first 3 and last 3 digits are kept."""
    PASSPORT_NUMBER = "passport_number"
    """A passport number: its last 2 characters are kept."""
    NAME = "name"
    """A person's name: nothing is kept."""
    BIRTH_DATE = "birth_date"
    """A birth date: its year is kept."""


def personal(kind: PersonalData) -> dict[str, Any]:
    """The `json_schema_extra` of a field carrying personal data of that kind."""
    return {TAG: kind.value}


TAG_ID_NUMBER = personal(PersonalData.ID_NUMBER)
TAG_PASSPORT_NUMBER = personal(PersonalData.PASSPORT_NUMBER)
TAG_NAME = personal(PersonalData.NAME)
TAG_BIRTH_DATE = personal(PersonalData.BIRTH_DATE)

FORM_PERSONAL_KEYS: dict[str, PersonalData] = {
    "child_full_name": PersonalData.NAME,
    "child_birth_date": PersonalData.BIRTH_DATE,
}
"""The keys of a procedure's form data that carry personal data, and their kinds."""
TAG_FORM: dict[str, Any] = {TAG: {key: kind.value for key, kind in FORM_PERSONAL_KEYS.items()}}
"""The tag of a form-data field: a mapping, its keys personal of the kinds given."""


def tags_of(model: type[BaseModel], field_name: str) -> dict[str, PersonalData]:
    """Name -> kind of the personal data a field is tagged with (none: empty).

    A field tagged with a kind is that name; a mapping field tagged with a mapping
    (the form data) has those keys personal.
    """
    extra = model.model_fields[field_name].json_schema_extra
    if not isinstance(extra, dict) or TAG not in extra:
        return {}
    tag = extra[TAG]
    if isinstance(tag, dict):
        return {str(key): PersonalData(str(kind)) for key, kind in tag.items()}
    return {field_name: PersonalData(str(tag))}


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation mentions: itself, or inside lists, optionals, unions."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    if get_origin(annotation) is not None or isinstance(annotation, types.UnionType):
        for argument in get_args(annotation):
            yield from models_in(argument)


def reachable_models(roots: Iterable[type[BaseModel]]) -> list[type[BaseModel]]:
    """The roots and every model reachable through their fields, each once, in order."""
    seen: dict[type[BaseModel], None] = {}
    pending = list(roots)
    while pending:
        model = pending.pop(0)
        if model in seen:
            continue
        seen[model] = None
        for field in model.model_fields.values():
            pending.extend(models_in(field.annotation))
    return list(seen)


def personal_fields(roots: Iterable[type[BaseModel]]) -> dict[str, PersonalData]:
    """Field name -> personal-data kind, over every model reachable from the roots.

    A name tagged with two different kinds in two models is a contract error: logs
    mask by name, so one name has one kind.
    """
    found: dict[str, PersonalData] = {}
    for model in reachable_models(roots):
        for field_name in model.model_fields:
            for name, kind in tags_of(model, field_name).items():
                if found.setdefault(name, kind) is not kind:
                    raise ValueError(
                        f"{model.__name__}.{name} is tagged {kind.value}, "
                        f"elsewhere {found[name].value}: one field name, one kind"
                    )
    return found


def looks_personal(field_name: str) -> bool:
    """True for a field name that suggests personal data (an ID number, a name, ...)."""
    return _LOOKS_PERSONAL.search(field_name) is not None


def untagged_personal_fields(models: Iterable[type[BaseModel]]) -> list[str]:
    """`Model.field` of every field that looks personal but carries no tag."""
    return [
        f"{model.__module__}.{model.__name__}.{name}"
        for model in models
        for name in model.model_fields
        if looks_personal(name) and not tags_of(model, name)
    ]
