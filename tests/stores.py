"""Stores on either engine for the store tests: a SQLite file, or a PostgreSQL schema."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psycopg
from psycopg import sql

from services.kit.store import ServiceStore

S = TypeVar("S", bound=ServiceStore)


@dataclass
class StoreBackend:
    """A SQLite folder (`url` None) or a PostgreSQL server with a schema for one test."""

    folder: Path
    url: str | None = None
    schema: str = field(default_factory=lambda: f"t_{uuid.uuid4().hex[:12]}")

    @property
    def name(self) -> str:
        """`sqlite` or `postgresql`."""
        return "sqlite" if self.url is None else "postgresql"

    def open(self, store_class: type[S], replica: str = "r1") -> S:
        """A store of this class: the same file or schema each time (a restart reopens it)."""
        if self.url is None:
            return store_class(self.folder / f"{store_class.__name__}.sqlite")
        return store_class(self.url, schema=self.schema, replica=replica)

    def drop(self) -> None:
        """Drop the test's schema (PostgreSQL)."""
        if self.url is not None:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
                )
