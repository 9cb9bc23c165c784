"""Databases on a running server: made once, or fresh for one run and dropped after."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

__all__ = ["drop_database", "ensure_database", "fresh_database", "with_database"]


def with_database(url: str, database: str) -> str:
    """The same server URL naming another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` unless it exists (`admin_url`: a database of the server)."""
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def fresh_database(url: str, prefix: str) -> str:
    """A new, empty database on the server of `url`; its URL."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    ensure_database(url, name)
    return with_database(url, name)


def drop_database(url: str) -> None:
    """Drop the database `url` names, cutting off whoever is still connected."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
