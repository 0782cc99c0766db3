"""The real /api/v1 as the bot's tests know it, from files the app writes (`tongban bot-contract`):

- ``openapi.json``: the app's OpenAPI document. :class:`Contract` checks a request the actions send and an
  answer the fake gives against the operation it belongs to ($refs resolved): an unknown path or method, a
  status the operation does not declare, or a body that does not fit its schema is a problem.
- ``api_fixtures.json``: answers captured from the real endpoints (questions, which apply, displays, refusals,
  error messages), served by the fake instead of rules of its own.

``tests/test_bot_contract.py`` in the app fails while these files are stale.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import jsonschema

HERE = Path(__file__).resolve().parent
OPENAPI = HERE / "openapi.json"
FIXTURES = HERE / "api_fixtures.json"
PREFIX = "/api/v1"


@lru_cache(maxsize=None)
def fixtures() -> Dict[str, Any]:
    """The captured answers (read once)."""
    return json.loads(FIXTURES.read_text(encoding="utf-8"))


class Contract:
    """The operations of /api/v1 and a validator for their bodies."""

    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document
        self.resolver = jsonschema.RefResolver.from_schema(document)
        self.operations: List[Tuple[re.Pattern, str, Dict[str, Any]]] = []
        for template, item in document["paths"].items():
            if not template.startswith(PREFIX + "/"):
                continue
            # literal segments win over parameters (/projects/questions before /projects/{project_id})
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            self.operations.append((pattern, template, item))
        self.operations.sort(key=lambda op: op[1].count("{"))

    def operation(self, method: str, path: str) -> Tuple[Optional[str], Optional[Dict[str, Any]], List[str]]:
        """(path template, operation, problems) for a request."""
        for pattern, template, item in self.operations:
            if pattern.match(path):
                operation = item.get(method.lower())
                if operation is None:
                    return template, None, [f"{method} {path}: {template} has no {method} in the OpenAPI"]
                return template, operation, []
        return None, None, [f"{method} {path}: no such path in the OpenAPI"]

    def _errors(self, schema: Dict[str, Any], value: Any) -> List[str]:
        validator = jsonschema.Draft202012Validator(schema, resolver=self.resolver)
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message[:300]}"
            for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        ]

    def check_request(self, method: str, path: str, body: Any) -> List[str]:
        """Problems of a request the bot sent: unknown operation, or a JSON body that does not fit."""
        template, operation, problems = self.operation(method, path)
        if operation is None:
            return problems
        declared = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
        if body is None:
            required = (operation.get("requestBody") or {}).get("required")
            return [f"{method} {template}: the request body is required"] if required else []
        if declared is None:
            return [f"{method} {template}: sends a body the operation does not take"]
        return [f"{method} {template} request {e}" for e in self._errors(declared.get("schema", {}), body)]

    def check_response(self, method: str, path: str, status: int, body: Any) -> List[str]:
        """Problems of an answer: a status the operation does not declare, or a body that does not fit it."""
        template, operation, problems = self.operation(method, path)
        if operation is None:
            return problems
        responses = operation.get("responses", {})
        declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if declared is None:
            return [f"{method} {template}: status {status} is not declared (only {', '.join(responses)})"]
        content = (declared.get("content") or {}).get("application/json")
        if content is None:
            return [] if body is None else [f"{method} {template} {status}: a JSON body the API does not send"]
        return [f"{method} {template} {status} {e}" for e in self._errors(content.get("schema", {}), body)]


@lru_cache(maxsize=None)
def contract() -> Contract:
    """The contract of the checked-in OpenAPI document (read once)."""
    return Contract(json.loads(OPENAPI.read_text(encoding="utf-8")))
