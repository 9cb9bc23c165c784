"""The simulator uses the services only through their public faces.

It may import the contracts, the kit's package and a few of its modules meant for
clients (Kafka access, topic administration, logging, tokens), and each service's
package (its settings class), never a service's own modules: the services can be
reshaped without the simulator noticing.
"""

from __future__ import annotations

import ast
from pathlib import Path

SIMULATOR = Path(__file__).resolve().parents[2] / "simulator"

ALLOWED = {
    "services.kit",
    "services.kit.kafka_access",
    "services.kit.topics_admin",
    "services.kit.logging",
    "services.kit.masking",
    "services.kit.tokens",  # new_token, token_hash: the hash the services compare
    "services.city_portal",
    "services.national_portal",
    "services.one_stop",
    "services.population_db",
}
#: The synthetic population, until it moves to a package of its own (synthetic_population).
EXCEPTIONS = {("scenarios/applicants.py", "services.population_db.synthetic")}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, wherever in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_simulator_imports_no_services_internals() -> None:
    wrong = sorted(
        (path.relative_to(SIMULATOR).as_posix(), module)
        for path in SIMULATOR.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] == "services"
        and module not in ALLOWED
        and (path.relative_to(SIMULATOR).as_posix(), module) not in EXCEPTIONS
    )
    assert wrong == []
