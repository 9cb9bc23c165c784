"""The benchmark's per-dossier tables: one index of ids shared, values by position."""

from __future__ import annotations

import pytest

from simulator.bench.dossier_table import DossierIndex, Settled, Settlements, TimesByDossier
from simulator.bench.injected import cpu_ms_per_dossier


def test_a_time_put_for_a_dossier_is_read_back_by_its_id() -> None:
    times = TimesByDossier(DossierIndex(["a", "b"]))
    times.put("b", 1_700_000_000_123)
    assert (times["b"], "b" in times, "a" in times, len(times)) == (
        1_700_000_000_123,
        True,
        False,
        1,
    )


def test_a_dossier_without_a_time_is_not_in_the_table() -> None:
    times = TimesByDossier(DossierIndex(["a"]))
    with pytest.raises(KeyError):
        times["a"]
    assert times.get("unknown") is None


def test_tables_sharing_an_index_know_each_dossier_once() -> None:
    index = DossierIndex(["a", "b"])
    submitted, settled = TimesByDossier(index), Settlements(index)
    submitted.put("c", 5)
    settled.put("c", Settled(9, "national_portal", "approved"))
    assert (list(index), index.position("c")) == (["a", "b", "c"], 2)


def test_a_settlement_is_read_back_with_its_portal_and_outcome() -> None:
    settled = Settlements(DossierIndex())
    settled.put("x", Settled(7, "city_portal", "rejected"))
    settled.put("y", Settled(8, "national_portal", "approved"))
    assert settled["x"] == Settled(7, "city_portal", "rejected")
    assert dict(settled) == {
        "x": Settled(7, "city_portal", "rejected"),
        "y": Settled(8, "national_portal", "approved"),
    }


def test_an_id_known_already_keeps_its_position() -> None:
    index = DossierIndex(["a", "b"])
    index.add(["b", "c"])
    assert [index.position(d) for d in ("a", "b", "c")] == [0, 1, 2]


def test_cpu_per_dossier_charges_replicas_to_their_service_and_the_bench_apart() -> None:
    resources = {
        "city_portal": {"cpu_seconds": 1.0},
        "national_portal": {"cpu_seconds": 0.5},
        "national_portal-2": {"cpu_seconds": 0.5},
        "kafka": {"cpu_seconds": 2.0},
        "kafka-2": {"cpu_seconds": 1.0},
        "bench": {"cpu_seconds": 0.25},
    }
    assert cpu_ms_per_dossier(resources, 1000) == {
        "services": 2.0,
        "with_kafka": 5.0,
        "bench": 0.25,
    }
