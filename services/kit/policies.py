"""A service's run-time policies: declared once in its settings, changed while it runs.

A settings field is a run-time policy when it is declared with `POLICY`
(`Field(..., json_schema_extra=POLICY)`): that is the whole declaration. The operations
API (`services.kit.operations`) reads and changes exactly those fields, so a new policy
appears there by being declared. `LivePolicies` changes them on the service's own
settings object, validated as at start: code that reads `settings.<policy>` when it
needs it follows at once; what was built from a policy at start (a catalogue, adapters)
is rebuilt by a listener (`on_change`). A listener that cannot take a value raises
`PolicyRefusedError` naming the field before anything changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Optional, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Strict, create_model
from pydantic.fields import FieldInfo

from services.kit.settings import ServiceSettings

__all__ = [
    "POLICY",
    "LivePolicies",
    "PolicyRefusedError",
    "policy_names",
    "policy_patch_model",
]

#: `json_schema_extra` of a settings field that is a run-time policy.
POLICY: dict[str, Any] = {"policy": True}

S = TypeVar("S", bound=ServiceSettings)


class PolicyRefusedError(ValueError):
    """A policy value the service cannot apply: `field` names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _is_policy(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, Mapping) and extra.get("policy") is True


def policy_names(settings_class: type[ServiceSettings]) -> tuple[str, ...]:
    """The run-time policies among a settings class's fields, in declaration order."""
    return tuple(n for n, f in settings_class.model_fields.items() if _is_policy(f))


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true or false")
    return value


#: A change's values as JSON types them: true/false only for a boolean, never for a number.
_JSON_EXACT: dict[Any, Any] = {
    bool: Strict(),
    int: BeforeValidator(_not_a_boolean),
    float: BeforeValidator(_not_a_boolean),
}


def policy_patch_model(settings_class: type[ServiceSettings]) -> type[BaseModel]:
    """A model of a change: each policy field optional, its constraints kept, nothing else."""
    fields: dict[str, Any] = {}
    for name in policy_names(settings_class):
        info = settings_class.model_fields[name]
        optional = FieldInfo.merge_field_infos(info, default=None, default_factory=None)
        if info.annotation in _JSON_EXACT:
            optional.metadata.append(_JSON_EXACT[info.annotation])
        fields[name] = (Optional[info.annotation], optional)  # noqa: UP045 - a runtime type
    model: type[BaseModel] = create_model(
        f"{settings_class.__name__.removesuffix('Settings')}PolicyChange",
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"Run-time policies of {settings_class.__name__}; the ones given change "
        "(null: unchanged).",
        **fields,
    )
    return model


class LivePolicies(Generic[S]):
    """The settings in force in a running service; its policies change, nothing else."""

    def __init__(self, settings: S) -> None:
        self.defaults = settings.model_copy()
        self.settings = settings
        self.names = policy_names(type(settings))
        self._listeners: list[Callable[[S], None]] = []

    def on_change(self, listener: Callable[[S], None]) -> None:
        """Call `listener(new settings)` as each change takes effect (it may refuse first)."""
        self._listeners.append(listener)

    def in_force(self) -> dict[str, Any]:
        """The policies in force, as JSON values."""
        return self.settings.model_dump(mode="json", include=set(self.names))

    def default_values(self) -> dict[str, Any]:
        """The policies the service started with, as JSON values."""
        return self.defaults.model_dump(mode="json", include=set(self.names))

    def change(self, values: Mapping[str, Any]) -> S:
        """Apply new policy values (validated as the service validates its settings).

        ValidationError or PolicyRefusedError when a value cannot be applied; then nothing changed.
        """
        unknown = sorted(set(values) - set(self.names))
        if unknown:
            raise PolicyRefusedError(unknown[0], "not a run-time policy of this service")
        current = {name: getattr(self.settings, name) for name in type(self.settings).model_fields}
        updated = type(self.settings).model_validate({**current, **values})
        for listener in self._listeners:
            listener(updated)  # raises PolicyRefusedError to refuse; nothing applied yet then
        for name in self.names:
            setattr(self.settings, name, getattr(updated, name))
        return self.settings

    def reset(self) -> S:
        """Back to the policies the service started with."""
        return self.change({name: getattr(self.defaults, name) for name in self.names})
