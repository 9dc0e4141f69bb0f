"""Helpers for tests that act as a teacher: sign up through the real forms, read CSRF tokens."""

from __future__ import annotations

import itertools
import re

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def csrf(client, path: str = "/join") -> str:
    """The CSRF token a page of ours puts in its forms (and sets its cookie on the client)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def sign_up(client, email: str | None = None, name: str = "Ms Teacher", timezone: str = "Europe/Berlin") -> str:
    """A new teacher account, signed in on ``client``; returns its email address."""
    email = email or f"teacher{next(_numbers)}-{id(client)}@school.example"
    r = client.post("/signup", data={"csrf_token": csrf(client, "/signup"), "email": email, "name": name,
                                     "password": PASSWORD, "timezone": timezone})
    assert r.status_code == 303, r.get_data(as_text=True)
    return email


def form_post(client, path: str, data: dict, page: str | None = None):
    """POST a form as a browser would: with the token from ``page`` (default: the join page)."""
    return client.post(path, data={"csrf_token": csrf(client, page or "/join"), **data})


def assign(client, deck: str = "all-facts", **fields) -> str:
    """Create an assignment from the deck page's form; the path of its report under My assignments."""
    r = form_post(client, f"/decks/{deck}/assignments", {"count": "4", **fields}, page=f"/decks/{deck}")
    assert r.status_code == 303, r.get_data(as_text=True)
    return r.headers["Location"]
