"""The national portal's ID-card line in its store: the applications taken, the cards held
for the line, the latest simulated clock, and when the line is next free.

Mixed into `NationalPortalStore`; every method runs on the store worker inside the
handler's transaction. Simulated times are kept as ISO text and, to compare in SQL, as
microseconds since the epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from contracts.events import DossierRouted, Outcome
from services.kit.store import ServiceStore
from services.national_portal.id_cards import HeldCard, ready_at
from services.national_portal.ministries.base import Decision

__all__ = [
    "CARD_SCHEMA",
    "FINAL_US",
    "CardClock",
    "CardLineStore",
    "HeldApplication",
    "micros",
    "moment_of",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: `until` of the final clock: after every moment a card can be ready.
FINAL_US = 2**62

CARD_SCHEMA = """
    CREATE TABLE IF NOT EXISTS card_line (
        line TEXT PRIMARY KEY,
        free_at TEXT NOT NULL,
        cards INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS id_card_applications (
        dossier_id TEXT PRIMARY KEY,
        received_us INTEGER NOT NULL,
        ready_us INTEGER,
        held TEXT
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS id_card_applications_received
        ON id_card_applications (received_us);
    CREATE INDEX IF NOT EXISTS id_card_applications_held
        ON id_card_applications (ready_us) WHERE held IS NOT NULL;
    CREATE TABLE IF NOT EXISTS card_clock (
        clock TEXT PRIMARY KEY,
        until_us INTEGER NOT NULL,
        taken INTEGER NOT NULL
    ) WITHOUT ROWID;
"""


def micros(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (an aware datetime)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def moment_of(until_us: int) -> datetime | None:
    """The moment of `micros`, in UTC (None for the final clock's `until`)."""
    return None if until_us >= FINAL_US else _EPOCH + timedelta(microseconds=until_us)


@dataclass(frozen=True)
class CardClock:
    """The latest clock the portal heard: cards ready before `until_us` may go (all of them
    when final) once it has taken `taken` applications received before it."""

    until_us: int
    taken: int


@dataclass(frozen=True)
class HeldApplication:
    """A held card with what its settlement needs: the routing and the decision."""

    card: HeldCard
    routed: DossierRouted
    decision: Decision


def _decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "outcome": str(decision.outcome),
        "days": decision.days,
        "reason_code": decision.reason_code,
        "reason_text": decision.reason_text,
        "result_document_prefix": decision.result_document_prefix,
    }


def _decision(data: dict[str, Any]) -> Decision:
    return Decision(
        Outcome(data["outcome"]),
        float(data["days"]),
        data.get("reason_code"),
        data.get("reason_text"),
        data.get("result_document_prefix"),
    )


class CardLineStore(ServiceStore):
    """The card line's tables (see the module)."""

    def lock_card_line(self) -> None:
        """Take the card line for this transaction: takes of ID cards and clocks in turn,
        whichever replica handles them (so none misses what the other just wrote)."""
        self.lock("card_line")

    def card_line_free_at(self) -> datetime | None:
        """When the ID-card line finishes the cards it has (None before its first card)."""
        row = self.db.execute("SELECT free_at FROM card_line WHERE line = 'cccd'").fetchone()
        return None if row is None else datetime.fromisoformat(row["free_at"])

    def save_card_line(self, free_at: datetime, cards: int = 1) -> None:
        """The ID-card line took `cards` more cards and is free again from ``free_at``."""
        self.db.execute(
            "INSERT INTO card_line (line, free_at, cards) VALUES ('cccd', ?, ?) "
            "ON CONFLICT (line) DO UPDATE SET free_at = excluded.free_at, "
            "cards = card_line.cards + excluded.cards",
            (free_at.isoformat(), cards),
        )

    def take_id_card(
        self, routed: DossierRouted, ready: datetime | None, decision: Decision | None
    ) -> None:
        """An ID-card application taken; with `ready` (and its decision) its card is held."""
        held = None
        if ready is not None and decision is not None:
            held = orjson.dumps(
                {"routed": routed.model_dump(mode="json"), "decision": _decision_json(decision)}
            ).decode()
        self.db.execute(
            "INSERT INTO id_card_applications (dossier_id, received_us, ready_us, held) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (dossier_id) DO NOTHING",
            (
                routed.dossier_id,
                micros(routed.submission.received_simtime),
                None if ready is None else micros(ready),
                held,
            ),
        )

    def id_cards_taken_before(self, until_us: int) -> int:
        """ID-card applications taken that were received before `until_us`."""
        row = self.db.execute(
            "SELECT COUNT(*) AS n FROM id_card_applications WHERE received_us < ?", (until_us,)
        ).fetchone()
        return int(row["n"])

    def held_cards(self, until_us: int) -> list[HeldApplication]:
        """The held cards ready before `until_us` (any order: `id_cards.released` orders)."""
        rows = self.db.execute(
            "SELECT dossier_id, held FROM id_card_applications "
            "WHERE held IS NOT NULL AND ready_us < ?",
            (until_us,),
        ).fetchall()
        found = []
        for row in rows:
            data = orjson.loads(row["held"])
            routed = DossierRouted.model_validate(data["routed"])
            decision = _decision(data["decision"])
            card = HeldCard(row["dossier_id"], ready_at(decision, routed))
            found.append(HeldApplication(card, routed, decision))
        return found

    def release_cards(self, dossier_ids: list[str]) -> None:
        """These cards went on the line: no longer held."""
        self.db.executemany(
            "UPDATE id_card_applications SET held = NULL WHERE dossier_id = ?",
            [(d,) for d in dossier_ids],
        )

    def card_clock(self) -> CardClock | None:
        """The latest clock heard, or None before the first."""
        row = self.db.execute(
            "SELECT until_us, taken FROM card_clock WHERE clock = 'simulated'"
        ).fetchone()
        return None if row is None else CardClock(int(row["until_us"]), int(row["taken"]))

    def save_card_clock(self, until: datetime, final: bool, taken: int) -> CardClock:
        """Keep a clock if it is later than the one kept (a redelivered or older one is
        not); the clock kept."""
        until_us = FINAL_US if final else micros(until)
        self.db.execute(
            "INSERT INTO card_clock (clock, until_us, taken) VALUES ('simulated', ?, ?) "
            "ON CONFLICT (clock) DO UPDATE SET until_us = excluded.until_us, "
            "taken = excluded.taken WHERE excluded.until_us > card_clock.until_us",
            (until_us, taken),
        )
        kept = self.card_clock()
        assert kept is not None
        return kept
