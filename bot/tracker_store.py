"""The SQL tracker store without the query password (查询密码): a conversation is saved with the password
removed from the person's text, from the extracted entities and from the ``query_code`` slot.

Rasa 3.6 has no redaction of its own, and everything a turn receives is saved: the user text, its parse data and
any metadata sent with it (``UserUttered.as_dict`` keeps ``metadata``), so the password cannot travel to the
bot "beside" the text either. It is needed only inside the turn that brings it: the progress and bind forms
ask for it last and their action runs in that same turn; the rating form asks for it last too
(domain/cases.yml). So the store keeps the turn in memory as Rasa built it and saves a redacted copy:

- every ``query_code`` slot value is saved as unset (a form that still needs it asks again);
- the text of a message that set the slot, or in which a ``query_code`` entity was found, has the password
  replaced by ``******`` (the whole text when the password cannot be found in it as typed);
- ``query_code`` entities keep their position but not their value.

A long conversation is also cut into sessions. Rasa loads a conversation's every event since its last session
start for each turn, replays them, and sends them all to the action server: a turn's cost grows with the
conversation, and with sessions that last a day (domain/core.yml) a person who keeps writing makes every one of
their turns slower (bench/bot_long_conversation.py). So when a turn ends with more than ``SESSION_EVENTS``
events in the session, the store starts a new session itself, the way Rasa does when a session expires
(``action_session_start``, ``session_started``, the slots that are set, ``action_listen``), and a form the person
left paused stays paused: the new session holds the form again and its last step before the person's turn, as
the form left it. Nothing is lost: every event stays in the table (``retrieve_full_tracker``); only the
policies' view of the turns before is gone, which ``max_history`` (5, config.yml) does not reach anyway.

endpoints.yml names this class; it takes the same parameters as Rasa's ``SQLTrackerStore``.
"""

from __future__ import annotations

import copy
import unicodedata
from typing import Any, Dict, Iterable, List, Optional, Set, Text

import sqlalchemy
import sqlalchemy.exc
import sqlalchemy.orm.session
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME, SESSION_START_METADATA_SLOT
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

SECRET_SLOT = "query_code"
SESSION_INDEX = "ix_events_sender_id_type_name"
SESSION_EVENTS = 120  # events in a session (about ten turns) after which the next turn starts a new one
MASK = "******"
HIDDEN = "［查询密码已隐藏］"


def _turns(events: Iterable[Event]) -> List[List[Event]]:
    """The events cut at each user message (the first part holds what came before any)."""
    turns: List[List[Event]] = [[]]
    for event in events:
        if isinstance(event, UserUttered):
            turns.append([])
        turns[-1].append(event)
    return turns


def _mask(text: Optional[Text], secrets: Set[Text]) -> Optional[Text]:
    if not text:
        return text
    for candidate in (text, unicodedata.normalize("NFKC", text)):  # as typed, else with full-width digits folded
        masked = candidate
        for secret in sorted(secrets, key=len, reverse=True):
            masked = masked.replace(secret, MASK)
        if masked != candidate:
            return masked
    return HIDDEN  # the password is in there in a form we do not recognise: keep none of it


def _redacted_message(event: UserUttered, secrets: Set[Text]) -> UserUttered:
    parse_data: Dict[Text, Any] = copy.deepcopy(event.parse_data or {})
    entities = []
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") == SECRET_SLOT:
            entity = {**entity, "value": MASK}
        entities.append(entity)
    parse_data["entities"] = entities
    text = _mask(event.text, secrets)
    parse_data["text"] = text
    metadata = {k: v for k, v in (event.metadata or {}).items() if k != SECRET_SLOT}
    return UserUttered(
        text,
        parse_data.get("intent"),
        entities,
        parse_data,
        timestamp=event.timestamp,
        input_channel=event.input_channel,
        message_id=event.message_id,
        metadata=metadata,
        use_text_for_featurization=event.use_text_for_featurization,
    )


def redact(events: Iterable[Event]) -> List[Event]:
    """The events with the query password removed (see the module docstring); other events unchanged."""
    out: List[Event] = []
    for turn in _turns(events):
        secrets: Set[Text] = set()
        for event in turn:
            values: List[Any] = []
            if isinstance(event, SlotSet) and event.key == SECRET_SLOT and event.value:
                values.append(event.value)
            if isinstance(event, UserUttered):
                values += [e.get("value") for e in event.entities or [] if e.get("entity") == SECRET_SLOT]
            for value in filter(None, values):
                secrets |= {str(value), unicodedata.normalize("NFKC", str(value))}
        for event in turn:
            if secrets and isinstance(event, UserUttered):
                event = _redacted_message(event, secrets)
            elif isinstance(event, SlotSet) and event.key == SECRET_SLOT and event.value is not None:
                event = SlotSet(SECRET_SLOT, None, timestamp=event.timestamp, metadata=event.metadata)
            out.append(event)
    return out


class RedactingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, saving conversations without the query password.

    On MariaDB (the production shape, deploy/rasa/endpoints.yml) its connections are tested as they are taken
    from the pool (``pool_pre_ping``) and renewed every half hour: Rasa's own engine has neither, so after the
    database restarted, each pooled connection failed one person's turn ("server has gone away") before it was
    replaced."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name != "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlalchemy.create_engine(url, pool_pre_ping=True, pool_recycle=1800)
            self.sessionmaker = sqlalchemy.orm.session.sessionmaker(bind=self.engine)
        # Where the last session started, without reading the conversation's every event: Rasa indexes only the
        # sender, and the type of each event is in the row.
        table = self.SQLEvent.__table__
        try:
            sqlalchemy.Index(SESSION_INDEX, table.c.sender_id, table.c.type_name).create(self.engine)
        except sqlalchemy.exc.DBAPIError:  # there already: an earlier start, or the other Rasa server starting now
            if SESSION_INDEX not in {i["name"] for i in sqlalchemy.inspect(self.engine).get_indexes(table.name)}:
                raise

    def _event_query(
        self, session: sqlalchemy.orm.Session, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> sqlalchemy.orm.Query:
        """The conversation's events in order; without ``fetch_events_from_all_sessions``, those from its last
        ``session_started`` on, found by row id. Rasa compares timestamps instead, and its column is a MariaDB
        ``FLOAT``: single precision, which rounds today's times to steps of 128 s, so a session started a minute
        ago still read the whole one before it (and every turn of a long conversation started another)."""
        events = self.SQLEvent
        query = session.query(events).filter(events.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            start = (
                session.query(sqlalchemy.func.max(events.id))
                .filter(events.sender_id == sender_id, events.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            query = query.filter(events.id >= sqlalchemy.func.coalesce(start, 0))
        return query.order_by(events.id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Saves the tracker's new events, redacted (the turn in progress keeps its own copy), and starts a new
        session after a long one (see the module docstring)."""
        redacted = DialogueStateTracker.from_events(
            tracker.sender_id,
            redact(tracker.events),
            slots=self.domain.slots,
            max_event_history=tracker._max_event_history,
        )
        if _needs_new_session(redacted):
            for event in new_session(redacted):
                redacted.update(event)
        await super().save(redacted)


def _needs_new_session(tracker: DialogueStateTracker) -> bool:
    """A long session whose turn is over: the bot listens."""
    return len(tracker.events) > SESSION_EVENTS and tracker.latest_action_name == ACTION_LISTEN_NAME


def new_session(tracker: DialogueStateTracker) -> List[Event]:
    """The events Rasa's ``action_session_start`` logs, carrying over the slots that are set (only their current
    values: Rasa's own carries every ``SlotSet`` of the session again) and a paused form. The store reads a session
    from its ``session_started`` row on (``_event_query``), so the next turn sees these and what follows."""
    events: List[Event] = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted()]
    events += [
        SlotSet(name, slot.value)
        for name, slot in tracker.slots.items()
        if name != SESSION_START_METADATA_SLOT and slot.value != slot.initial_value
    ]
    form = tracker.active_loop_name
    if form:  # as the form left it: active, its question asked, the bot listening for the answer
        events += [ActiveLoop(form), ActionExecuted(form)]
    return [*events, ActionExecuted(ACTION_LISTEN_NAME)]
