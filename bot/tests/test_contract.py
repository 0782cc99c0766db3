"""The bot's own knowledge of the API's vocabulary, checked against what the real API answered
(api_fixtures.json, `tongban bot-contract`): a renamed option, question or unit fails here, not in production."""

from __future__ import annotations

import pytest
from actions.intake import NUMBER_HINTS
from actions.parsing import CHOICE_SYNONYMS, FIELD_WORDS, LEVEL_LABELS, ParseError, family_for, parse_rating_level
from contract import contract, fixtures

QUESTIONS = {q["key"]: q for q in fixtures()["questions"]}


def test_choice_synonyms_name_real_questions_and_options() -> None:
    displayed = {key: {v for v, _ in pairs} for key, pairs in fixtures()["displays"].items()}
    for key, pairs in CHOICE_SYNONYMS.items():
        assert QUESTIONS.get(key, {}).get("kind") == "choice", key
        for value, _ in pairs:
            # an option, or a value the API itself stores and displays (土地供应方式“原有用地”)
            assert value in QUESTIONS[key]["options"] or value in displayed.get(key, set()) or value == "existing", (
                key,
                value,
            )


def test_correction_words_name_real_fields() -> None:
    fields = set(QUESTIONS) | set(fixtures()["project_info_labels"])
    assert {key for key, _ in FIELD_WORDS} <= fields
    assert set(QUESTIONS) <= {key for key, _ in FIELD_WORDS}  # every question can be corrected by name


def test_every_number_question_has_a_unit_the_parser_knows() -> None:
    units = {q["unit"] for q in QUESTIONS.values() if q["kind"] == "number"}
    assert all(family_for(unit) is not None for unit in units), units
    assert set(NUMBER_HINTS) <= units


def test_rating_levels_are_the_apis() -> None:
    """The five levels the bot offers and understands are those the API records (its answer names each one)."""
    recorded = {int(level): answer["level_label"] for level, answer in fixtures()["ratings"].items()}
    assert LEVEL_LABELS == recorded
    for level, label in recorded.items():
        assert parse_rating_level(label) == level
    with pytest.raises(ParseError) as asked:
        parse_rating_level("嗯")
    assert "、".join(recorded[level] for level in (5, 4, 3, 2, 1)) in str(asked.value)


def test_the_contract_catches_a_wrong_shape() -> None:
    """The checker itself: unknown paths and methods, undeclared statuses and wrong bodies are all problems."""
    api = contract()
    assert api.check_response("GET", "/api/v1/nowhere", 200, {})
    assert api.check_response("DELETE", "/api/v1/progress", 200, {})
    assert api.check_response("GET", "/api/v1/projects/questions", 200, [{"key": "x"}])
    assert api.check_response("GET", "/api/v1/projects/1/questions", 404, {"detail": "x"})
    assert not api.check_response("GET", "/api/v1/projects/1", 404, fixtures()["errors"]["project_not_found"]["body"])
    assert not api.check_response("GET", "/api/v1/projects/questions", 200, fixtures()["questions"])
    assert api.check_request("PATCH", "/api/v1/projects/1", {"indicators": "x"})
