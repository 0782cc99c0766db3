"""The pages' chained dependencies: who may see a page, and where an error of a form goes.

Who: ``SignedIn`` (anonymous visitors go to the login page) → ``Staff`` (citizens are refused) →
``staff_with(permission)`` / ``signed_in_with(permission)``. Each raises the core's errors
(``NotAuthenticated``, ``PermissionDenied``); the pages' exception handler (web/routes.py) turns them into
the login redirect or the error page, so a handler never checks who is asking.

Where an error goes: a handler takes ``on_error: OnError`` and says which form to show again
(``on_error.show("admin/me.html", context)``) before it does the work. From then on an ``AppError`` rolls
back the request's changes and shows that form again with the Chinese message, what was typed and the
error's status; before it (and without ``on_error``), the error page. One path instead of a
``try``/``except AppError`` in every handler; an ``except AppError`` left in a handler does something else
(and says what).
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from core.deps import DB, ReadDB, ReplicaDB
from core.errors import AppError, NotAuthenticated, PermissionDenied
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from web.common import WebUser, flash, redirect, render

# ---------------------------------------------------------------- who is asking


def signed_in(user: WebUser) -> User:
    """The signed-in user; an anonymous visitor is sent to the login page (and back here afterwards)."""
    if user is None:
        raise NotAuthenticated("请先登录")
    return user


SignedIn = Annotated[User, Depends(signed_in)]


def staff(user: SignedIn) -> User:
    """The signed-in member of staff; 403 for citizens."""
    if not user.is_staff:
        raise PermissionDenied("管理后台仅供工作人员使用")
    return user


Staff = Annotated[User, Depends(staff)]


def signed_in_with(permission: Permission) -> Callable[[User], User]:
    """A dependency: the signed-in user holding ``permission`` (citizens apply, enterprises file projects)."""

    def holder(user: SignedIn) -> User:
        return org_service.require(user, permission)

    return holder


def staff_with(permission: Permission) -> Callable[[User], User]:
    """A dependency: the member of staff holding ``permission``."""

    def holder(user: Staff) -> User:
        return org_service.require(user, permission)

    return holder


# ---------------------------------------------------------------- where an error of a form goes


class FormRejected(Exception):
    """An ``AppError`` of a form, already rendered as the form again; the pages' handler answers with it."""

    def __init__(self, response: Response) -> None:
        super().__init__("form rejected")
        self.response = response


Context = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


class ErrorRoute:
    """Where a handler sends an ``AppError`` of its work (see the module's doc)."""

    def __init__(self, request: Request, db: Session) -> None:
        self.request = request
        self.db = db
        self.answer_for: Callable[[AppError], Response] | None = None

    def show(self, template: str, context: Context) -> None:
        """From here on, an ``AppError`` shows ``template`` again with ``context`` (a mapping, or a function
        that builds it after the rollback) and the message as ``error``, with the error's status."""

        def show(error: AppError) -> Response:
            values = context() if callable(context) else context
            return render(self.request, template, {**values, "error": error.message}, status=error.status_code)

        self.answer_for = show

    def answer(self, show: Callable[[AppError], Response]) -> None:
        """From here on, an ``AppError`` is answered by ``show(error)``, called after the rollback: for pages
        that place the message themselves (next to a field, or flashed on the page they go back to)."""
        self.answer_for = show

    def redirect(self, url: str) -> None:
        """From here on, an ``AppError`` goes to ``url`` with the message on top (for buttons without a form)."""

        def show(error: AppError) -> Response:
            flash(self.request, error.message, "error")
            return redirect(url)

        self.answer_for = show


def _route_errors(request: Request, db: Session) -> Iterator[ErrorRoute]:
    route = ErrorRoute(request, db)
    try:
        yield route
    except AppError as error:
        if route.answer_for is None:
            raise
        db.rollback()  # nothing of the failed change is kept; the page is rendered from what is stored
        raise FormRejected(route.answer_for(error)) from error


def error_route(request: Request, db: DB) -> Iterator[ErrorRoute]:
    """The request's ``ErrorRoute``; turns an ``AppError`` raised after it was set into its answer."""
    yield from _route_errors(request, db)


def read_error_route(request: Request, db: ReadDB) -> Iterator[ErrorRoute]:
    """The same for a handler that only reads (``ReadDB``), on its one session."""
    yield from _route_errors(request, db)


def replica_error_route(request: Request, db: ReplicaDB) -> Iterator[ErrorRoute]:
    """The same for a page that reads the replica (``ReplicaDB``: publicity, statistics), on its one session."""
    yield from _route_errors(request, db)


OnError = Annotated[ErrorRoute, Depends(error_route, scope="function")]
OnReadError = Annotated[ErrorRoute, Depends(read_error_route, scope="function")]
OnReplicaError = Annotated[ErrorRoute, Depends(replica_error_route, scope="function")]
