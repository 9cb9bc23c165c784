"""Personal data masked out of log values, driven by the contracts' `personal_data` tags.

Keys tagged in the contracts are masked by their kind (ID number: first 3 and last 3
digits kept; passport number: last 2 kept; name: nothing kept; birth date: the year
kept), at any depth of dicts, lists, tuples and pydantic models. In every string,
wherever it sits, three more things are masked: any run of exactly 12 digits (an ID
number, keep 3 and 3), `key=value` / `"key": value` pairs whose key is tagged (reprs,
JSON text, exception messages), and pydantic's `input_value=...` (validation errors
quote the offending input, personal or not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from contracts.personal_data import PersonalData, models_in, personal_fields
from contracts.topics import personal_fields_of_topics

__all__ = [
    "Masker",
    "http_models",
    "mask_personal_data",
    "masker",
    "register_personal_models",
]

HIDDEN = "***"
_ID_NUMBER = re.compile(r"(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)")
_INPUT_VALUE = re.compile(r"input_value=.*?(?=, input_type=|\]$|$)", re.MULTILINE)
_QUOTED_OR_BARE = (
    r"(?P<value>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
    r"|datetime\.date\([\d, ]*\)|\([^()]*\)|\[[^\[\]]*\]|[^\s,;)}\]]+)"
)


def mask_id_number(value: str) -> str:
    """An ID number with only its first 3 and last 3 characters kept."""
    if len(value) <= 6:
        return HIDDEN
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def mask_passport_number(value: str) -> str:
    """A passport number with only its last 2 characters kept."""
    return HIDDEN + value[-2:] if len(value) > 4 else HIDDEN


def mask_birth_date(value: object) -> str:
    """A birth date with only its year kept."""
    if isinstance(value, date):
        return f"{value.year:04d}-**-**"
    text = str(value)
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    return f"{match.group(1)}-**-**" if match else HIDDEN


def mask_as(kind: PersonalData, value: object) -> object:
    """A value of a field tagged with that kind, masked (containers element by element)."""
    if value is None:
        return None
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {key: mask_as(kind, item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [mask_as(kind, item) for item in value]
    if kind is PersonalData.BIRTH_DATE:
        return mask_birth_date(value)
    if kind is PersonalData.NAME:
        return HIDDEN
    text = str(value)
    if kind is PersonalData.PASSPORT_NUMBER:
        return mask_passport_number(text)
    return mask_id_number(text)


class Masker:
    """Masks personal data in log values, for a map of tagged field name -> kind."""

    def __init__(self, fields: Mapping[str, PersonalData]):
        self.fields = dict(fields)
        self._key_value = self._key_value_pattern()

    def _key_value_pattern(self) -> re.Pattern[str]:
        keys = "|".join(sorted((re.escape(k) for k in self.fields), key=len, reverse=True))
        return re.compile(
            rf"(?P<head>(?P<quote>[\"']?)\b(?P<key>{keys})(?P=quote)\s*[:=]\s*){_QUOTED_OR_BARE}"
        )

    def add(self, fields: Mapping[str, PersonalData]) -> None:
        """Mask these tagged fields too."""
        self.fields.update(fields)
        self._key_value = self._key_value_pattern()

    def text(self, text: str) -> str:
        """A string with tagged key-value pairs, ID numbers and validation inputs masked."""
        if self.fields:
            text = self._key_value.sub(self._masked_pair, text)
        text = _INPUT_VALUE.sub("input_value=" + HIDDEN, text)
        return _ID_NUMBER.sub(r"\1******\2", text)

    def _masked_pair(self, match: re.Match[str]) -> str:
        value = match.group("value")
        if value in ("None", "null"):
            return match.group(0)
        quote = value[0] if value[0] in "\"'" else ""
        masked = mask_as(self.fields[match.group("key")], value[1:-1] if quote else value)
        return f"{match.group('head')}{quote}{masked}{quote}"

    def value(self, value: object, key: str | None = None) -> object:
        """Any log value, masked: by its key's tag if tagged, else looked into."""
        if key is not None and key in self.fields:
            return mask_as(self.fields[key], value)
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, BaseModel):
            return self.value(value.model_dump(mode="json"))
        if isinstance(value, Mapping):
            return {k: self.value(v, k if isinstance(k, str) else None) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.value(item) for item in value]
        if value is None or isinstance(value, bool | int | float | date):
            return value
        text = str(value)
        masked = self.text(text)
        return masked if masked != text else value

    def __call__(
        self, _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """structlog processor: every value of the event dict masked, `event` included."""
        for key, value in list(event_dict.items()):
            if not key.startswith("_"):
                event_dict[key] = self.value(value, key)
        return event_dict


masker = Masker(personal_fields_of_topics())
"""The masker of this process: the registry's tagged fields, plus the registered models'."""


def register_personal_models(models: Iterable[type[BaseModel]]) -> None:
    """Also mask the tagged fields of these models (a service's HTTP bodies, say)."""
    masker.add(personal_fields(models))


def http_models(app: FastAPI) -> list[type[BaseModel]]:
    """The request and response body models of an HTTP API's routes."""
    found: list[type[BaseModel]] = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            found.extend(models_in(route.response_model))
            for body in route.dependant.body_params:
                found.extend(models_in(body.field_info.annotation))
    return found


def mask_personal_data(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor masking personal data with this process's masker."""
    return masker(logger, method, event_dict)
