"""Every event kind is an ``EventKind`` member with a payload type; every consumer's table is keyed by members;
and a payload keeps its exact shape through the stored JSON (no migration: old rows read the same)."""

import json
from collections.abc import Iterable

import pytest

from channels.wecom import decisions
from core.events.kinds import PAYLOADS, CaseConcluded, EventKind
from core.events.models import DomainEvent
from core.events.service import payload_of
from core.supervision import listeners
from notifications import fanout, render
from tests.event_examples import EXAMPLES

CONSUMER_KEYS: dict[str, Iterable[str]] = {
    "notifications.render.RENDERERS": render.RENDERERS,
    "notifications.render.WECHAT_TEMPLATES": render.WECHAT_TEMPLATES,
    "notifications.fanout.DECISION_CARDS": fanout.DECISION_CARDS,
    "notifications.fanout.WARNING_CARDS": fanout.WARNING_CARDS,
    "core.supervision.listeners.HANDLED": listeners.HANDLED,
    "channels.wecom.decisions.DECISION_NEEDED": [decisions.DECISION_NEEDED],
}


@pytest.mark.parametrize("registry", sorted(CONSUMER_KEYS))
def test_every_consumer_handles_only_event_kinds(registry: str) -> None:
    keys = list(CONSUMER_KEYS[registry])
    assert keys and all(isinstance(key, EventKind) for key in keys), registry


def test_every_kind_has_a_payload_type_a_text_and_an_example() -> None:
    assert set(PAYLOADS) == set(EventKind)
    assert set(render.RENDERERS) == set(EventKind)
    assert set(EXAMPLES) == set(EventKind)
    assert all(type(EXAMPLES[kind]) is PAYLOADS[kind] for kind in EventKind)


@pytest.mark.parametrize("kind", list(EventKind))
def test_a_payload_round_trips_through_the_stored_json_unchanged(kind: EventKind) -> None:
    stored = json.loads(json.dumps(EXAMPLES[kind].stored(), ensure_ascii=False))
    event = DomainEvent(kind=str(kind), subject="x:1", data=stored, recipients=[])
    payload = payload_of(event)
    assert payload == EXAMPLES[kind]
    assert payload.stored() == stored


def test_a_conclusion_stored_before_licences_were_named_reads_without_one() -> None:
    stored = EXAMPLES[EventKind.CASE_CONCLUDED].stored()
    del stored["licence_id"]
    payload = payload_of(DomainEvent(kind="case.concluded", subject="case:1", data=stored, recipients=[]))
    assert isinstance(payload, CaseConcluded) and payload.licence_id is None
    assert payload.stored() == stored
