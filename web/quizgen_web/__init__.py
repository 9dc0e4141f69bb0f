"""The quiz site: deck list, quizzes graded on the server, results with citations, a JSON API.

Installed from a wheel this package is ``quizgen_web`` (see pyproject), so
everything inside it imports relatively and finds its templates and static
files next to itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from quizgen.content import load_library
from quizgen.errors import QuizgenError, RenderError, UnknownDeckError
from quizgen.markup import keycaps
from quizgen.quiz import QuizMaker

from .cache import CACHE_KEY, DEFAULT_CACHE_BYTES, AppCache
from .jsonprovider import OrjsonProvider

MAKER_KEY = "quizgen.maker"

# Only the site's own files: no CDN, no inline script or style, never framed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# A host name (labels of 1-63 letters, digits, hyphens; 253 at most), an IPv4 or a bracketed
# IPv6 address, with an optional port. Anything else cannot be turned into a URL adapter.
_HOST = re.compile(
    r"(?=.{1,253}(?::|$))[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
    r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?(?::[0-9]{1,5})?"
    r"|\[[0-9A-Fa-f:.]{2,45}\](?::[0-9]{1,5})?"
)
_BAD_HOST = "quizgen.bad_host"

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """App factory; ``CONTENT`` is a content folder, or None for the bundled content.

    ``PUBLIC_URL`` (say ``https://quiz.example.org``) makes the API's links absolute; without
    it they are paths on this site. Links are never built from the request's Host header.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        CONTENT=None,
        PUBLIC_URL=None,
        CACHE_BYTES=DEFAULT_CACHE_BYTES,
        DATABASE_URL=None,  # stored assignments; None: $QUIZGEN_DATABASE_URL or the default file
        # Quiz answers are a few bytes each; anything bigger is not a real submission.
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
    )
    if test_config is None:
        app.config.from_prefixed_env("QUIZGEN")  # QUIZGEN_CONTENT=/path for `flask --app quizgen_web run`
    else:
        app.config.update(test_config)

    app.json = OrjsonProvider(app)  # keeps the API's fields in their natural order, and is fast
    app.jinja_env.filters["keycaps"] = keycaps

    # Loaded once: every request shares the library and its distractor index.
    library = load_library(app.config["CONTENT"] or None)
    app.extensions[MAKER_KEY] = QuizMaker(library)
    app.extensions[CACHE_KEY] = AppCache(int(app.config["CACHE_BYTES"]))

    from .api import bp as api_bp
    from .decks import bp as decks_bp
    from .exports import bp as exports_bp
    from .quiz import bp as quiz_bp
    from .worksheets import bp as worksheets_bp

    app.register_blueprint(decks_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(worksheets_bp)
    app.register_blueprint(exports_bp)
    from .assignments import init_app as init_assignments

    init_assignments(app)  # stored assignments: DATABASE_URL, else $QUIZGEN_DATABASE_URL, else a file
    from .ratelimit import init_app as init_rate_limits

    init_rate_limits(app)  # per-client limits on creating assignments and submitting attempts
    from .practice import init_app as init_practice

    init_practice(app, app.extensions["quizgen.assignments"].store)  # practice: the same database

    app.wsgi_app = _HostGuard(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(_refuse_bad_host)
    app.before_request(_refuse_nul)
    app.after_request(_security_headers)
    _register_error_handlers(app)
    return app


class _HostGuard:
    """Swap a Host header no URL can be built from for a harmless one, and remember it.

    Werkzeug cannot bind the URL map to such a host, so without this every page (the error
    page too) fails before any handler runs; with it the request reaches the app, which
    answers 400 through its own error pages and headers (see ``_refuse_bad_host``).
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is not None and not _HOST.fullmatch(host):
            environ = {**environ, "HTTP_HOST": "localhost", _BAD_HOST: True}
        return self.wsgi_app(environ, start_response)


def _refuse_bad_host() -> None:
    if request.environ.get(_BAD_HOST):
        raise BadRequest("The request's Host header is not a valid host name.")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _refuse_nul() -> None:
    """A NUL character anywhere in a request (path, query, headers, form, JSON) is a 400.

    No id, title, name or answer contains one; PostgreSQL cannot store one in text (it failed
    with a 500 on every route that looks up or stores what the client sent).
    """
    found = ("\x00" in request.path or any(_has_nul(k) or _has_nul(v) for k, v in request.args.items(multi=True))
             or any("\x00" in v for v in request.headers.values()))
    if not found and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        # The raw body, kept for the view (parsing the form here would consume it, and the API
        # reads JSON sent with a form content type): a raw NUL, a form's %00, or JSON's \u0000.
        data = request.get_data(cache=True)
        form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
        found = b"\x00" in data or (form and b"%00" in data) or (
            b"\\u0000" in data.lower() and _has_nul(request.get_json(force=True, silent=True)))
    if found:
        raise BadRequest("The request contains a NUL character (%00 or \\u0000), which no page or field accepts.")


# A teacher's secret URLs and the API report: whatever they answer (an error page too) must not
# be cached or sent on as a Referer.
_PRIVATE_PATH = re.compile(r"^/a/[^/]+/report(?:/|$)|^/api/assignments/[^/]+/report$")
_SECRET_SEGMENT = re.compile(r"^(/a/[^/]+/report/)[^/]+")


def is_private_path(path: str) -> bool:
    return bool(_PRIVATE_PATH.match(path))


def loggable_path(path: str) -> str:
    """The request path with a teacher's secret replaced, for logs."""
    return _SECRET_SEGMENT.sub(r"\1<secret>", path)


def _security_headers(response: Response) -> Response:
    # The worksheet blueprint sets its own policy (it needs inline print styles).
    if "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = CSP
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if is_private_path(request.path):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(status: int, title: str, message: str) -> tuple[Any, int]:
    """A plain error: JSON under /api, otherwise a page in the site's layout."""
    if _wants_json():
        return jsonify({"error": message}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(UnknownDeckError)
    def _unknown_deck(exc: UnknownDeckError):
        return error_response(404, "Deck not found", str(exc))

    @app.errorhandler(RenderError)
    def _render_error(exc: RenderError):
        return error_response(503, "Not available on this server", str(exc))

    @app.errorhandler(QuizgenError)
    def _bad_request(exc: QuizgenError):
        return error_response(400, "That did not work", str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        messages = {
            404: "There is no page at this address. Check the link, or start again from the list of decks.",
            405: "This address does not accept that kind of request.",
            413: "That submission is far too large to be a quiz's answers.",
            429: "Too many requests from your address in a short time. Please wait a minute and try again.",
        }
        message = messages.get(exc.code or 500, exc.description or "")
        body, status = error_response(exc.code or 500, exc.name, message)
        if exc.code == 405:
            return body, status, {"Allow": ", ".join(getattr(exc, "valid_methods", None) or [])}
        return body, status

    @app.errorhandler(Exception)
    def _internal(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, loggable_path(request.path))
        return error_response(500, "Something went wrong",
                              "Something went wrong on our side. Please try again in a moment.")
