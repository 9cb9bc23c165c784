"""Who may do what on the broker: the rights of each principal, derived from the topic registry.

The rights are data: `rights_from_registry()` computes them from `contracts.topics`,
`render_rights()` writes them as `deploy/rights.yaml` (`portalsim rights`), and
`acl_entries()` turns them into the broker's ACLs (allow only; everything else is refused
because the broker runs with `allow.everyone.if.no.acl.found=false`).

A service may write the topics it produces and the dead-letter topics of the topics it
consumes, read the topics it consumes, and join only consumer groups named with its own
name as prefix (its group id is its name). The simulator writes `dossier.submitted` (it
injects dossiers), reads every topic with no group of its own committing offsets (it
assigns partitions), and may describe the services' groups (the benchmark reads their lag).
Topics are created by the super user `admin` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import yaml

from contracts.topics import TOPICS, ServiceName, all_topic_names

__all__ = [
    "AclEntry",
    "Operation",
    "PatternType",
    "PrincipalRights",
    "ResourceType",
    "acl_entries",
    "parse_rights",
    "render_rights",
    "rights_from_registry",
]

#: The first line of the rights file; it says where the file comes from.
HEADER = (
    "# Generated from contracts/topics.py by `portalsim rights`; do not edit by hand.\n"
    "# `portalsim rights --check` and tests/unit/test_rights_file.py fail when it is stale.\n"
    "# User:admin is the broker's super user: it alone creates topics, users and ACLs.\n"
)


class ResourceType(StrEnum):
    """The kinds of broker resources the rights name."""

    TOPIC = "topic"
    GROUP = "group"


class Operation(StrEnum):
    """Operations granted (READ and WRITE imply DESCRIBE on Kafka)."""

    READ = "read"
    WRITE = "write"
    DESCRIBE = "describe"


class PatternType(StrEnum):
    """How an ACL's resource name matches: the exact name, or every name it begins."""

    LITERAL = "literal"
    PREFIXED = "prefixed"


@dataclass(frozen=True, order=True)
class AclEntry:
    """One allow rule: `principal` may `operation` on the resource(s) named."""

    principal: str
    resource_type: ResourceType
    name: str
    pattern_type: PatternType
    operation: Operation


@dataclass(frozen=True)
class PrincipalRights:
    """The rights of one principal (`User:<name>`)."""

    user: str
    write_topics: tuple[str, ...]
    read_topics: tuple[str, ...]
    group_prefixes: tuple[str, ...]
    describe_groups: tuple[str, ...] = ()

    @property
    def principal(self) -> str:
        """The Kafka principal, `User:<name>`."""
        return f"User:{self.user}"

    def as_dict(self) -> dict[str, Any]:
        """The YAML form of these rights."""
        return {
            "write_topics": list(self.write_topics),
            "read_topics": list(self.read_topics),
            "read_groups_prefixed": list(self.group_prefixes),
            "describe_groups": list(self.describe_groups),
        }


def _service_rights(service: ServiceName) -> PrincipalRights:
    """A service's rights: its produced topics, its consumed ones, their dead letters."""
    consumed = [t for t in TOPICS if service in t.consumers]
    writes = {t.name for t in TOPICS if service in t.producers} | {t.deadletter for t in consumed}
    return PrincipalRights(
        user=str(service),
        write_topics=tuple(sorted(writes)),
        read_topics=tuple(sorted(t.name for t in consumed)),
        group_prefixes=(str(service),),
    )


def _simulator_rights() -> PrincipalRights:
    """The simulator injects dossiers, observes every topic and reads the services' lag."""
    simulator = ServiceName.SIMULATOR
    consuming = sorted({str(c) for t in TOPICS for c in t.consumers})
    return PrincipalRights(
        user=str(simulator),
        write_topics=tuple(sorted(t.name for t in TOPICS if simulator in t.producers)),
        read_topics=tuple(sorted(all_topic_names())),
        group_prefixes=(str(simulator),),
        describe_groups=tuple(consuming),
    )


def rights_from_registry() -> tuple[PrincipalRights, ...]:
    """Every principal's rights, services first (registry order), then the simulator."""
    services = [s for s in ServiceName if s is not ServiceName.SIMULATOR]
    return (*(_service_rights(s) for s in services), _simulator_rights())


def render_rights(rights: tuple[PrincipalRights, ...]) -> str:
    """The text of `deploy/rights.yaml`."""
    body = {"principals": {r.principal: r.as_dict() for r in rights}}
    return HEADER + yaml.safe_dump(body, sort_keys=False, default_flow_style=False)


def parse_rights(text: str) -> tuple[PrincipalRights, ...]:
    """Read the rights back from the text of a rights file."""
    data = yaml.safe_load(text) or {}
    parsed = []
    for principal, entry in (data.get("principals") or {}).items():
        user = str(principal).removeprefix("User:")
        parsed.append(
            PrincipalRights(
                user=user,
                write_topics=tuple(entry.get("write_topics") or ()),
                read_topics=tuple(entry.get("read_topics") or ()),
                group_prefixes=tuple(entry.get("read_groups_prefixed") or ()),
                describe_groups=tuple(entry.get("describe_groups") or ()),
            )
        )
    return tuple(parsed)


def acl_entries(rights: tuple[PrincipalRights, ...]) -> list[AclEntry]:
    """The allow ACLs granting exactly these rights, sorted."""
    entries: set[AclEntry] = set()
    topic, group = ResourceType.TOPIC, ResourceType.GROUP
    literal, prefixed = PatternType.LITERAL, PatternType.PREFIXED
    for r in rights:
        p = r.principal
        entries.update(AclEntry(p, topic, n, literal, Operation.WRITE) for n in r.write_topics)
        entries.update(AclEntry(p, topic, n, literal, Operation.READ) for n in r.read_topics)
        entries.update(AclEntry(p, group, n, prefixed, Operation.READ) for n in r.group_prefixes)
        entries.update(
            AclEntry(p, group, n, literal, Operation.DESCRIBE) for n in r.describe_groups
        )
    return sorted(entries)
