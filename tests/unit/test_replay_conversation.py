"""One service's side of a recorded run: what it is fed, what each fed record answers, what
it said, what it got over HTTP."""

from __future__ import annotations

from typing import Any

from contracts.events import Channel
from simulator.eventlog.format import LogRecord
from simulator.replay.conversation import conversation_of, vetted
from tests.factories import submission
from tests.unit.conversations import event

CITY, POPULATION, NATIONAL, DESKS = "city_portal", "population_db", "national_portal", "one_stop"


def submitted(dossier_id: str, channel: Channel, **values: Any) -> dict[str, Any]:
    """The data of a valid `dossier.submitted`."""
    return submission(dossier_id=dossier_id, channel=channel, **values).model_dump(mode="json")


def linked_group() -> list[LogRecord]:
    """A birth step of a linked group, as the four services said it."""
    step = submitted("child", Channel.LINKED, parent_dossier_id="parent", step_index=0)
    return [
        event("dossier.routed", CITY, "route", key="parent", timestamp=1),
        event(
            "dossier.submitted",
            NATIONAL,
            "step",
            cause="route",
            key="child",
            data=step,
            timestamp=2,
        ),
        event("identity.check.requested", CITY, "ask", cause="step", key="001", timestamp=3),
        event("identity.check.completed", POPULATION, "answer", cause="ask", key="x", timestamp=4),
        event("dossier.settled", CITY, "step-settled", cause="answer", key="child", timestamp=5),
        event("population.record.changed", POPULATION, "born", cause="step-settled", timestamp=6),
        event("dossier.settled", DESKS, "elsewhere", key="other", timestamp=7),
    ]


def test_a_service_is_fed_what_others_published_on_the_topics_it_consumes() -> None:
    talk = conversation_of(linked_group(), NATIONAL, "log")
    fed = [item.event_id for item in talk.feed]
    assert fed == ["route", "step-settled", "born", "elsewhere"]
    assert [record.value["id"] for record in talk.outputs] == ["step"]  # type: ignore[index]
    assert talk.inputs.items == []


def test_a_fed_record_answers_the_nearest_event_of_the_service_up_its_causation_chain() -> None:
    talk = conversation_of(linked_group(), NATIONAL, "log")
    triggers = {item.event_id: item.trigger for item in talk.feed}
    assert triggers == {"route": None, "step-settled": "step", "born": "step", "elsewhere": None}
    assert talk.answers == 2


def test_the_city_portal_waits_for_the_answer_to_its_own_identity_check() -> None:
    talk = conversation_of(linked_group(), CITY, "log")
    triggers = {item.event_id: item.trigger for item in talk.feed}
    assert triggers["answer"] == "ask"
    assert triggers["born"] == "step-settled"
    assert triggers["step"] == "route"


def test_a_fed_record_counts_the_events_the_service_published_because_of_it() -> None:
    talk = conversation_of(linked_group(), POPULATION, "log")
    replies = {item.event_id: item.replies for item in talk.feed}
    assert replies == {"ask": 1, "step-settled": 1, "elsewhere": 0}


def test_a_trigger_carries_its_place_among_the_services_events() -> None:
    talk = conversation_of(linked_group(), NATIONAL, "log")
    [settled] = [item for item in talk.feed if item.event_id == "step-settled"]
    assert settled.trigger_place == ("dossier.submitted", "child", "root", 0)


def test_a_redelivered_event_is_fed_once_in_recorded_order() -> None:
    records = linked_group()
    records.append(event("dossier.routed", CITY, "route", key="parent", timestamp=0))
    talk = conversation_of(records, NATIONAL, "log")
    assert [item.event_id for item in talk.feed].count("route") == 1


def test_the_city_portals_online_dossiers_come_over_http_and_are_not_fed() -> None:
    online = submitted("d1", Channel.ONLINE, client_ref="c1")
    records = [
        event("dossier.submitted", CITY, "online", key="d1", data=online),
        event(
            "dossier.submitted", DESKS, "digitised", key="d2", data=submitted("d2", Channel.DESK)
        ),
    ]
    talk = conversation_of(records, CITY, "log")
    assert [item.event_id for item in talk.feed] == ["digitised"]
    assert talk.inputs.unreplayable == ["dossier d1: submitted online without account"]


def test_vetting_leaves_refused_records_out_of_feed_and_outputs() -> None:
    talk = conversation_of(linked_group(), NATIONAL, "log")
    kept = vetted(talk, lambda record: record.value is not None and record.value["id"] != "born")
    assert [item.event_id for item in kept.feed] == ["route", "step-settled", "elsewhere"]
    assert len(kept.outputs) == 1
