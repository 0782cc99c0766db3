"""Checks every new case passes before it is stored, however it is registered (the window, the online
application, the bot, the demo, a script): what the case names of other domains must be true.

A case may name a major project (``major_project_id``); whether the registering person may register a case of the
item for that project is major projects' business (core/major_projects/links.py). The cases domain sits below
major projects and cannot import it (the events listener goes the other way), so the checks are named here, as
the events' ``LISTENERS`` are, and imported when a case is registered: a caller of the case service cannot skip
them, and a domain that adds a check adds its name here.
"""

import importlib
from typing import Protocol

from sqlalchemy.orm import Session

from core.cases.schemas import SubmitIn
from core.org.models import User

VALIDATORS = ("core.major_projects.links:check_registration",)
"""``module:function`` of each check (a :class:`RegistrationValidator`), in the order they run."""


class RegistrationValidator(Protocol):
    """A check of a new case: raises an AppError with a Chinese message when the case may not be registered as
    asked (nothing has been stored yet, and the caller's transaction is rolled back)."""

    def __call__(self, db: Session, user: User | None, data: SubmitIn) -> None: ...


def validators() -> list[RegistrationValidator]:
    """The checks, imported."""
    found: list[RegistrationValidator] = []
    for name in VALIDATORS:
        module, _, function = name.partition(":")
        found.append(getattr(importlib.import_module(module), function))
    return found


def check(db: Session, user: User | None, data: SubmitIn) -> None:
    """Runs every check on the new case; the first refusal stops the registration."""
    for validator in validators():
        validator(db, user, data)
