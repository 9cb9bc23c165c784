"""deploy/rights.yaml states the registry's rights; the ACLs grant exactly those rights."""

from __future__ import annotations

from pathlib import Path

from contracts.rights import (
    AclEntry,
    Operation,
    PatternType,
    ResourceType,
    acl_entries,
    parse_rights,
    render_rights,
    rights_from_registry,
)
from contracts.topics import TOPICS, ServiceName


def test_rights_file_is_generated_from_the_topic_registry(repo_root: Path) -> None:
    committed = (repo_root / "deploy" / "rights.yaml").read_text(encoding="utf-8")
    assert committed == render_rights(rights_from_registry()), (
        "deploy/rights.yaml disagrees with contracts/topics.py: run `portalsim rights`"
    )


def test_rights_file_reads_back_as_the_rights_it_was_written_from() -> None:
    rights = rights_from_registry()
    assert parse_rights(render_rights(rights)) == rights


def test_each_service_writes_only_its_produced_topics_and_its_dead_letters() -> None:
    for rights in rights_from_registry():
        service = ServiceName(rights.user)
        allowed = {t.name for t in TOPICS if service in t.producers}
        allowed |= {t.deadletter for t in TOPICS if service in t.consumers}
        assert set(rights.write_topics) == allowed, service


def test_each_service_reads_only_the_topics_it_consumes() -> None:
    for rights in rights_from_registry():
        service = ServiceName(rights.user)
        if service is not ServiceName.SIMULATOR:
            assert set(rights.read_topics) == {t.name for t in TOPICS if service in t.consumers}


def test_a_principal_may_join_only_groups_named_after_itself() -> None:
    for entry in acl_entries(rights_from_registry()):
        if entry.resource_type is ResourceType.GROUP and entry.operation is Operation.READ:
            assert entry.pattern_type is PatternType.PREFIXED
            assert entry.principal == f"User:{entry.name}"


def test_the_simulator_may_describe_but_not_join_the_services_groups() -> None:
    entries = acl_entries(rights_from_registry())
    group = ResourceType.GROUP
    for service in ("city_portal", "population_db", "national_portal", "one_stop"):
        on_group = {e.operation for e in entries if e.resource_type is group and e.name == service}
        simulator = [e for e in entries if e.principal == "User:simulator" and e.name == service]
        assert simulator == [
            AclEntry("User:simulator", group, service, PatternType.LITERAL, Operation.DESCRIBE)
        ]
        assert Operation.READ in on_group
