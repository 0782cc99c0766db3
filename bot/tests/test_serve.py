"""The Rasa launcher's fix: action server responses are still checked against Rasa's schema, with the
schema itself checked once instead of on every call."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import serve


@pytest.fixture
def action() -> RemoteAction:
    serve.install()
    return RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_valid_responses_pass(action: RemoteAction) -> None:
    response = {"events": [{"event": "slot", "name": "case_no", "value": "KF202611270004"}], "responses": []}
    assert action._validate_action_result(response) is True


def test_invalid_responses_are_still_refused_with_rasas_message(action: RemoteAction) -> None:
    with pytest.raises(ValidationError) as refused:
        action._validate_action_result({"events": [{"event": "no_such_event"}], "responses": "text"})
    assert "Failed to validate Action server response" in refused.value.message


def test_the_schema_is_checked_once(action: RemoteAction, monkeypatch: pytest.MonkeyPatch) -> None:
    action._validate_action_result({"events": [], "responses": []})
    validator_class = type(serve._response_validator())
    calls = []
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, schema: calls.append(schema)))
    for _ in range(3):
        action._validate_action_result({"events": [], "responses": []})
    assert calls == []
