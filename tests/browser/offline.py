"""Pages that must work without a network: each request that would leave the machine is blocked
and reported. Shared by the offline deck, site and feedback-page tests."""
from __future__ import annotations

from typing import Callable

LOCAL = ("file://", "data:", "blob:")  # none of these leaves the machine


def block_network(page, on_blocked: Callable[[str], None], local: tuple[str, ...] = LOCAL) -> None:
    """Let ``page`` load only URLs that start with one of ``local``; every other request is
    aborted and its URL passed to ``on_blocked`` (e.g. a list's ``append``)."""
    def route(r):
        if r.request.url.startswith(local):
            r.continue_()
        else:
            on_blocked(r.request.url)
            r.abort()

    page.route("**/*", route)
