"""A property-based pass over the whole /api/v1 OpenAPI (schemathesis): whatever a client sends — valid or not —
the answer is never a 5xx, and every error carries a Chinese message in ``{"error": {"code", "message"}}``.

Each operation is one pytest test that runs in-process against the ASGI app (no server, no network) with a few
generated examples, as an administrator (a citizen for the routes only citizens may use), so that requests get
past the permission checks and into validation and the services. It runs on SQLite and, with the rest of the
suite, on MariaDB. ``TONGBAN_TEST_FUZZ_EXAMPLES`` raises the number of examples for a deeper run.
"""

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from core import rate_limit
from tests.helpers import has_chinese
from tests.world import World
from tongban.asgi import create_app

# Hypothesis keeps its caches in ./.hypothesis by default; the suite's temporary directory keeps the tree clean.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(os.environ["TONGBAN_DATA_DIR"]) / "hypothesis"))

EXAMPLES = int(os.environ.get("TONGBAN_TEST_FUZZ_EXAMPLES", "6"))
"""Examples per operation: ~120 operations × 6 keep the pass to a few minutes on a loaded 2-core machine."""

# ~120 operations × 6 generated requests: minutes. scripts/test.sh runs it once, on MariaDB, whose column types and
# lengths are the strict ones (SQLite would store a string too long for its column).
pytestmark = [pytest.mark.slow, pytest.mark.one_pass("mariadb")]

CITIZEN_ONLY = {("POST", "/api/v1/cases"), ("POST", "/api/v1/projects")}
"""Routes an administrator may not use (applying, filing): fuzzed as the citizen instead."""


APP = create_app()
"""One app for the whole pass: schemathesis keeps an application's lifespan running once it started it."""
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP  # called in-process through its ASGI interface


def errors_in_chinese(_ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx answers ``{"error": {"code", "message"}}`` with a Chinese message a person can act on."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError as exc:
        raise AssertionError(f"{case.method} {case.path}: {response.status_code} is not JSON") from exc
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{case.method} {case.path}: {response.status_code} {body}"
    assert error.get("code") and has_chinese(str(error.get("message", ""))), (
        f"{case.method} {case.path}: {response.status_code} {body}"
    )
    return None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,  # a loaded machine is slow; the pass looks for wrong answers, not slow ones
    database=None,  # no .hypothesis directory in the working tree
    derandomize=True,  # the same examples on every run and on both databases: a failure reproduces
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),  # the world fixture is per operation, shared by its examples
)
def test_no_server_error_and_chinese_errors(case: Any, world: World) -> None:
    rate_limit.reset()  # the pass asks far more often than a person would
    who = "citizen" if (case.method.upper(), case.operation.path) in CITIZEN_ONLY else "admin"
    response = case.call(headers=world.auth(who))
    case.validate_response(response, checks=[not_a_server_error, errors_in_chinese])
