"""Starts the Rasa server (``python serve.py run ...`` takes the same arguments as ``rasa run``) with one fix.

Rasa 3.6 checks every action server response with ``jsonschema.validate``, which first re-validates the
whole response schema (all event types) against the JSON Schema meta-schema: measured with py-spy under 20
concurrent conversations, that was 46% of the Rasa server's CPU, more than NLU and the policies together.
The fix validates with one validator built (and its schema checked) once. Responses are checked exactly as
before; an invalid one still raises ``ValidationError`` with Rasa's message.
"""

import sys
from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the schema checked once instead of on every call."""
    try:
        _response_validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def install() -> None:
    """Replaces Rasa's per-call schema check with the cached validator."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


if __name__ == "__main__":
    install()
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    sys.exit(main())
