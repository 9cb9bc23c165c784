"""Imports run one way: contracts <- kit <- services; the simulator uses only public faces.

The layers, from the bottom:
- `contracts`: the shared language; imports no other part of portalsim.
- `synthetic_population`: synthetic people; may use contracts.
- `services.kit`: what every service is built from; may use contracts.
- `services.<service>`: one service; may use contracts, the kit, synthetic_population and
  itself, never another service.
- `simulator`: may use contracts, synthetic_population, the kit's public face (below) and
  each service's package entry point (`services.<service>`, its `__init__`), never a
  service's modules.
Tests may import anything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("city_portal", "national_portal", "one_stop", "population_db")
PORTALSIM = ("contracts", "services", "simulator", "synthetic_population")

#: The kit modules the simulator may use: the package itself and these named modules.
KIT_PUBLIC_FACE = frozenset(
    {
        "services.kit",  # the package's names: EventFactory, OutboxRecord, derived_event_id ...
        "services.kit.kafka_access",  # how every Kafka client connects (plain or SASL)
        "services.kit.logging",  # the CLI logs as the services do (masked)
        "services.kit.tokens",  # new_token, token_hash: the hash the services compare
        "services.kit.topics_admin",  # creating the registered topics
        "services.kit.tracing",  # trace ids and traceparents: the simulator's client spans
        "services.kit.tracing_export",  # where a process's spans go (file or OTLP)
    }
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module) of every portalsim import in a file (relative ones resolved)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = [module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PORTALSIM:
                yield node.lineno, name


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "services" and len(parts) > 1:
        return "services.kit" if parts[1] == "kit" else f"services.{parts[1]}"
    return parts[0]


def allowed(importer: str, imported: str) -> bool:
    layer, target = layer_of(importer), layer_of(imported)
    if layer == target:
        return True
    if layer == "contracts":
        return False
    if layer in ("synthetic_population", "services.kit"):
        return target == "contracts"
    if layer.startswith("services."):
        return target in ("contracts", "synthetic_population", "services.kit")
    if layer == "simulator":
        if target in ("contracts", "synthetic_population"):
            return True
        if target == "services.kit":
            return imported in KIT_PUBLIC_FACE
        return target.startswith("services.") and imported == target
    return True


def source_files() -> list[Path]:
    return sorted(
        p for top in PORTALSIM if (ROOT / top).is_dir() for p in (ROOT / top).rglob("*.py")
    )


def violations(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        importer = module_name(path)
        for line, imported in imports_of(path):
            if not allowed(importer, imported):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return found


@pytest.mark.parametrize("layer", ["contracts", "synthetic_population", "services", "simulator"])
def test_each_layer_imports_only_what_lies_below_it(layer: str) -> None:
    files = [p for p in source_files() if module_name(p).split(".")[0] == layer]
    assert violations(files) == []


def test_the_rules_catch_a_service_importing_another_service() -> None:
    assert not allowed("services.city_portal.handlers", "services.national_portal.domain")


def test_the_rules_catch_the_simulator_importing_a_service_s_internals() -> None:
    assert not allowed("simulator.scenarios.applicants", "services.population_db.store")
    assert not allowed("simulator.system.lifecycle", "services.kit.messaging")
    assert allowed("simulator.system.settings", "services.population_db")


def test_the_rules_catch_the_kit_importing_a_service() -> None:
    assert not allowed("services.kit.messaging", "services.city_portal.store")


def test_the_rules_catch_contracts_importing_the_kit() -> None:
    assert not allowed("contracts.events", "services.kit.settlement")
