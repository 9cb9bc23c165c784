"""Give a secure broker its users, ACLs and topics, as the super user, with confluent-kafka.

aiokafka's admin client has no ACL or SCRAM calls; confluent-kafka's AdminClient has both.
Everything here is idempotent: a restart provisions again and changes only what differs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import (  # type: ignore[attr-defined]  # exported at runtime
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialUpsertion,
)

from contracts.rights import AclEntry, Operation, PatternType
from contracts.rights import ResourceType as RightsResource
from services.kit.kafka_access import KafkaAccess
from services.kit.topics_admin import registered_topic_partitions, replication_for, topic_configs
from simulator.kafka_local.errors import KafkaStartError

__all__ = ["provision"]

#: Seconds each admin request, and the wait for the broker to apply the ACLs, may take.
REQUEST_TIMEOUT = 30.0
SCRAM_ITERATIONS = 8192
_POLL = 0.1

_RESOURCES = {RightsResource.TOPIC: ResourceType.TOPIC, RightsResource.GROUP: ResourceType.GROUP}
_PATTERNS = {
    PatternType.LITERAL: ResourcePatternType.LITERAL,
    PatternType.PREFIXED: ResourcePatternType.PREFIXED,
}
_OPERATIONS = {
    Operation.READ: AclOperation.READ,
    Operation.WRITE: AclOperation.WRITE,
    Operation.DESCRIBE: AclOperation.DESCRIBE,
}
#: Matches every ACL (None: any name, principal, host; the stubs type them str).
_ANY_ACL = AclBindingFilter(
    ResourceType.ANY,
    None,  # type: ignore[arg-type]
    ResourcePatternType.ANY,
    None,  # type: ignore[arg-type]
    None,  # type: ignore[arg-type]
    AclOperation.ANY,
    AclPermissionType.ANY,
)


def _binding(entry: AclEntry) -> AclBinding:
    """The allow binding of one rights entry, from any host."""
    return AclBinding(
        _RESOURCES[entry.resource_type],
        entry.name,
        _PATTERNS[entry.pattern_type],
        entry.principal,
        "*",
        _OPERATIONS[entry.operation],
        AclPermissionType.ALLOW,
    )


def _result(future: Future[Any]) -> Any:
    return future.result(timeout=REQUEST_TIMEOUT)


def _ensure_users(admin: AdminClient, credentials: dict[str, str]) -> None:
    """Create the SCRAM credentials of every user the broker does not know yet."""
    every_user: Future[Any] = admin.describe_user_scram_credentials()  # type: ignore[assignment]
    known = set(_result(every_user))
    missing: list[UserScramCredentialAlteration] = [
        UserScramCredentialUpsertion(
            name,
            ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
            password.encode(),
        )
        for name, password in credentials.items()
        if name not in known
    ]
    if missing:
        for future in admin.alter_user_scram_credentials(missing).values():
            _result(future)


def _current_acls(admin: AdminClient) -> set[AclBinding]:
    return set(_result(admin.describe_acls(_ANY_ACL, request_timeout=REQUEST_TIMEOUT)))


def _sync_acls(admin: AdminClient, entries: Iterable[AclEntry]) -> None:
    """Make the broker's ACLs exactly these, then wait until the broker enforces them."""
    wanted = {_binding(e) for e in entries}
    current = _current_acls(admin)
    stale = [
        AclBindingFilter(
            b.restype,
            b.name,
            b.resource_pattern_type,
            b.principal,
            b.host,
            b.operation,
            b.permission_type,
        )
        for b in current - wanted
    ]
    if stale:
        for future in admin.delete_acls(stale, request_timeout=REQUEST_TIMEOUT).values():
            _result(future)
    if wanted - current:
        created = admin.create_acls(list(wanted - current), request_timeout=REQUEST_TIMEOUT)
        for future in created.values():
            _result(future)
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while _current_acls(admin) != wanted:
        if time.monotonic() >= deadline:
            raise KafkaStartError(f"the broker did not apply its ACLs within {REQUEST_TIMEOUT:g}s")
        time.sleep(_POLL)


def _ensure_topics(admin: AdminClient) -> None:
    """Create the registered topics and their dead-letter topics that are missing."""
    metadata = admin.list_topics(timeout=REQUEST_TIMEOUT)
    existing = set(metadata.topics)
    factor, min_insync = replication_for(len(metadata.brokers))
    missing = [
        NewTopic(name, count, factor, config=topic_configs(min_insync))
        for name, count in registered_topic_partitions().items()
        if name not in existing
    ]
    if missing:
        for future in admin.create_topics(missing, request_timeout=REQUEST_TIMEOUT).values():
            _result(future)


def provision(admin_access: KafkaAccess, credentials: dict[str, str], acls: list[AclEntry]) -> None:
    """Create the users, set the ACLs and create the topics of a secure broker."""
    admin = AdminClient(admin_access.confluent_config())
    try:
        _ensure_users(admin, credentials)
        _sync_acls(admin, acls)
        _ensure_topics(admin)
    except KafkaException as exc:
        raise KafkaStartError(f"provisioning the secure broker failed: {exc}") from exc
