"""Tokens: random, kept as SHA-256 hashes, expiring; configured ones given by their hashes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.kit.tokens import ConfiguredToken, issue_token, matches_any, token_hash

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_an_issued_token_is_random_and_kept_by_its_sha256() -> None:
    first, second = issue_token(timedelta(hours=1)), issue_token(timedelta(hours=1))
    assert first.token != second.token
    assert first.sha256 == hashlib.sha256(first.token.encode()).hexdigest()


def test_an_issued_token_expires_after_its_time_to_live() -> None:
    assert issue_token(timedelta(hours=1), now=NOW).expires_at == NOW + timedelta(hours=1)


def test_a_configured_token_matches_by_its_hash() -> None:
    configured = [ConfiguredToken.model_validate(token_hash("secret"))]
    assert matches_any("secret", configured, NOW)
    assert not matches_any("Secret", configured, NOW)


def test_an_expired_configured_token_no_longer_matches() -> None:
    entry = {"sha256": token_hash("secret"), "expires_at": NOW.isoformat()}
    assert not matches_any("secret", [ConfiguredToken.model_validate(entry)], NOW)


def test_a_configured_token_that_is_not_a_sha256_is_refused() -> None:
    with pytest.raises(ValidationError):
        ConfiguredToken.model_validate("secret")
