"""Teacher accounts: sign up, sign in, sign out, "My assignments"; sessions and CSRF for every form.

A signed-in browser holds one cookie with a random token; the session (its teacher, its CSRF
token, its expiry) lives in the database beside the assignments, so every server process sees it
and signing out ends it everywhere. Every form of the classroom pages carries a CSRF token: the
session's for a signed-in teacher, else a random one from an HttpOnly cookie (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from quizgen.errors import SubmissionError
from quizgen.storage.accounts import (
    MIN_PASSWORD,
    SESSION_DAYS,
    Accounts,
    SignedIn,
    TeacherAccount,
    check_timezone,
)
from quizgen.storage.models import MAX_EMAIL, MAX_NAME

bp = Blueprint("accounts", __name__)
EXTENSION = "quizgen.accounts"
SESSION_COOKIE = "quizgen_session"
CSRF_COOKIE = "quizgen_csrf"
CSRF_FIELD = "csrf_token"
# Blueprints whose forms change something: a POST form to them needs the token.
CSRF_BLUEPRINTS = {"accounts", "assignments", "worksheets"}
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def init_app(app: Flask, store) -> None:  # noqa: ANN001 - a quizgen.storage.Store
    app.extensions[EXTENSION] = Accounts(store)
    app.register_blueprint(bp)
    app.before_request(_load_session)
    app.before_request(_check_csrf)
    app.after_request(_set_cookies)


def accounts() -> Accounts:
    return current_app.extensions[EXTENSION]


def signed_in() -> SignedIn | None:
    return g.get("signed_in")


def teacher() -> TeacherAccount | None:
    s = signed_in()
    return s.teacher if s else None


def teacher_timezone() -> str:
    """The zone the signed-in teacher's times are shown and typed in: theirs, else --timezone, else UTC."""
    t = teacher()
    return (t.timezone if t and t.timezone else None) or current_app.config.get("TIMEZONE") or "UTC"


class SignInRequired(Exception):
    pass


@bp.app_errorhandler(SignInRequired)
def _to_sign_in(_exc: SignInRequired) -> Response:
    target = request.full_path.rstrip("?") if request.method == "GET" else request.referrer or ""
    first = accounts().count() == 0
    return redirect(url_for("accounts.signup" if first else "accounts.signin", next=_safe_next(target)), code=303)


def require_teacher() -> TeacherAccount:
    t = teacher()
    if t is None:
        raise SignInRequired
    return t


def _load_session() -> None:
    token = request.cookies.get(SESSION_COOKIE)
    # One read per page of a signed-in teacher; none for students (no cookie) or static files.
    g.signed_in = accounts().session(token) if token and request.endpoint != "static" else None


# ---- CSRF -------------------------------------------------------------------------------------


def csrf_token() -> str:
    """The token every form of ours carries (templates call this)."""
    s = signed_in()
    if s is not None:
        return s.csrf
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) > 100:
        token = g.get("new_csrf") or secrets.token_urlsafe(24)
        g.new_csrf = token
    return token


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"csrf_token": csrf_token, "current_teacher": teacher}


def _check_csrf() -> None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.blueprint not in CSRF_BLUEPRINTS:
        return
    if request.path.startswith("/api/"):
        return  # JSON with a bearer secret: no cookie authorises anything there
    sent = request.form.get(CSRF_FIELD, "")
    s = signed_in()
    good = [t for t in (s.csrf if s else None, request.cookies.get(CSRF_COOKIE)) if t]
    if not sent or not any(hmac.compare_digest(sent.encode(), t.encode()) for t in good):
        raise SubmissionError("this form has expired or did not come from this site: reload the page and send it "
                              "again (your browser must accept this site's cookies)")


def _set_cookies(response: Response) -> Response:
    new = g.get("new_csrf")
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="Lax", secure=request.is_secure)
    token = g.get("set_session")
    if token is not None:
        if token:
            response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", secure=request.is_secure,
                                max_age=SESSION_DAYS * 24 * 3600)
        else:
            response.delete_cookie(SESSION_COOKIE)
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere (an open redirect)."""
    if not target:
        return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    return target


# ---- pages ------------------------------------------------------------------------------------


def _form_page(template: str, status: int = 200, **context) -> tuple[str, int, dict]:
    return render_template(template, max_email=MAX_EMAIL, max_name=MAX_NAME, min_password=MIN_PASSWORD,
                           next=_safe_next(request.values.get("next")), **context), status, PRIVATE_HEADERS


def _sign_in_as(account: TeacherAccount) -> Response:
    old = request.cookies.get(SESSION_COOKIE)
    accounts().end_session(old)  # a new session on every sign-in: a planted cookie is worth nothing
    g.set_session = accounts().start_session(account)
    return redirect(_safe_next(request.form.get("next")) or url_for("accounts.home"), code=303)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    first = accounts().count() == 0
    if request.method == "GET":
        return _form_page("accounts/signup.html", first=first, form={},
                          default_timezone=current_app.config.get("TIMEZONE") or "")
    form = request.form
    try:
        account = accounts().create(form.get("email"), form.get("name"), form.get("password"),
                                    form.get("timezone"))
    except SubmissionError as exc:
        return _form_page("accounts/signup.html", 400, first=first, error=str(exc),
                          form={"email": form.get("email", "")[:MAX_EMAIL], "name": form.get("name", "")[:MAX_NAME],
                                "timezone": form.get("timezone", "")[:64]},
                          default_timezone=current_app.config.get("TIMEZONE") or "")
    return _sign_in_as(account)


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    if request.method == "GET":
        if accounts().count() == 0:
            return redirect(url_for("accounts.signup", next=_safe_next(request.args.get("next"))), code=303)
        return _form_page("accounts/signin.html", form={})
    try:
        account = accounts().authenticate(request.form.get("email"), request.form.get("password"))
    except SubmissionError as exc:
        return _form_page("accounts/signin.html", 400, error=str(exc),
                          form={"email": request.form.get("email", "")[:MAX_EMAIL]})
    return _sign_in_as(account)


@bp.post("/signout")
def signout() -> Response:
    accounts().end_session(request.cookies.get(SESSION_COOKIE))
    g.set_session = ""
    return redirect(url_for("decks.index"), code=303)


@bp.get("/teacher")
def home():
    from .assignments import assignments, local_time

    t = require_teacher()
    summaries = assignments().summaries(t.id)
    sheets = accounts().worksheets(t.id)
    return render_template("accounts/home.html", teacher=t, summaries=summaries, worksheets=sheets,
                           local_time=local_time, zone=teacher_timezone()), 200, PRIVATE_HEADERS


@bp.route("/teacher/settings", methods=["GET", "POST"])
def settings():
    t = require_teacher()
    error = None
    if request.method == "POST":
        try:
            check_timezone(request.form.get("timezone"))
            accounts().set_timezone(t.id, request.form.get("timezone"))
            return redirect(url_for("accounts.home"), code=303)
        except SubmissionError as exc:
            error = str(exc)
    return render_template("accounts/settings.html", teacher=t, error=error,
                           zone=t.timezone or ""), 400 if error else 200, PRIVATE_HEADERS
