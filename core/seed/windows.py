"""Demo windows: the demo clerks sit at their department's windows, so the demo cases (registered and accepted by
them through the case service) carry a window and the hall board shows its windows.

Every department with items has its clerk (``clerk_<code>``) at the first window its sign lists, and, where the
sign lists two or more, a second clerk (``clerk2_<code>``) at the second; the demo's cases alternate between
them. The second clerks' names come from a generator of their own (seeded by the department's code), so the demo's
main sequence of random choices, and with it every other demo figure, stays as it was.
"""

import random

from sqlalchemy.orm import Session

from core.org import service as org_service
from core.org import windows
from core.org.models import Department, User

SECOND_CLERK = "clerk2_{code}"


def clerk_window(department: Department, place: int = 0) -> str | None:
    """The window at ``place`` on the department's sign (None when the sign lists fewer, or none)."""
    found = windows.names(department.windows)
    return found[place] if place < len(found) else None


def seat(db: Session, names: dict[str, list[str]], password: str) -> list[tuple[User, Department]]:
    """Seats every department's demo clerk at its first window (also a clerk seeded before windows existed) and
    makes the second clerks; returns the second clerks with their departments."""
    second = []
    for department in org_service.list_departments(db=db):
        code = department.code.lower()
        clerk = org_service.get_user_by_username(db=db, username=f"clerk_{code}")
        if clerk is None:
            continue  # a department without items has no window clerk
        if clerk.window is None and (window := clerk_window(department)) is not None:
            org_service.update_user(db=db, user=clerk, window=window)
        window = clerk_window(department, 1)
        if window is None:
            continue
        username = SECOND_CLERK.format(code=code)
        user = org_service.get_user_by_username(db=db, username=username)
        if user is None:
            own = random.Random(department.code)  # not the demo's generator: its sequence stays as it was
            user = org_service.create_user(
                db=db,
                username=username,
                name=own.choice(names["surnames"]) + own.choice(names["given_names"]),
                password=password,
                role_codes=["clerk"],
                department_id=department.id,
                window=window,
            )
        second.append((user, department))
    db.flush()
    return second
