"""The local broker's secure modes: listeners, authorizer, SCRAM users, passwords on disk."""

from __future__ import annotations

from pathlib import Path

from simulator.kafka_local.config import Ports, choose_ports
from simulator.kafka_local.security import (
    BrokerSecurity,
    load_credentials,
    new_credentials,
    save_credentials,
    scram_format_args,
    security_properties,
)

PORTS = Ports(port=19092, controller_port=19093, sasl_port=19094)


def test_secure_mode_serves_only_sasl_and_refuses_what_no_acl_allows() -> None:
    props = security_properties(BrokerSecurity.SASL, PORTS, "pw")
    assert props["advertised.listeners"] == "SASL_PLAINTEXT://127.0.0.1:19092"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["authorizer.class.name"].endswith("StandardAuthorizer")
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert "PLAINTEXT:PLAINTEXT" not in props["listener.security.protocol.map"]


def test_both_listeners_mode_keeps_plaintext_for_super_user_tests_and_adds_sasl() -> None:
    props = security_properties(BrokerSecurity.PLAINTEXT_AND_SASL, PORTS, "pw")
    assert props["advertised.listeners"] == (
        "PLAINTEXT://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:19094"
    )
    assert "User:ANONYMOUS" in props["super.users"].split(";")


def test_plaintext_mode_adds_no_security_settings() -> None:
    assert security_properties(BrokerSecurity.PLAINTEXT, PORTS, "pw") == {}


def test_every_user_gets_its_own_random_password_and_a_scram_credential() -> None:
    credentials = new_credentials(["city_portal", "simulator"])
    assert set(credentials) == {"admin", "city_portal", "simulator"}
    assert len(set(credentials.values())) == 3
    args = scram_format_args(credentials)
    assert args.count("--add-scram") == 3
    assert f"SCRAM-SHA-512=[name=admin,password={credentials['admin']}]" in args


def test_the_credentials_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    save_credentials(path, {"admin": "a"})
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_credentials(path) == {"admin": "a"}


def test_the_sasl_port_is_kept_across_restarts() -> None:
    chosen = choose_ports(PORTS, is_free=lambda _: True, pick_free=lambda _: 1, sasl=True)
    assert chosen == PORTS
