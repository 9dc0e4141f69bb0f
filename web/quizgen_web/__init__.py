"""The quiz site: deck list, quizzes graded on the server, results with citations, a JSON API.

Installed from a wheel this package is ``quizgen_web`` (see pyproject), so
everything inside it imports relatively and finds its templates and static
files next to itself.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from quizgen.content import load_library
from quizgen.errors import QuizgenError, RenderError, UnknownDeckError
from quizgen.quiz import QuizMaker

from .jsonprovider import OrjsonProvider

MAKER_KEY = "quizgen.maker"

# Only the site's own files: no CDN, no inline script or style, never framed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """App factory; ``CONTENT`` is a content folder, or None for the bundled content."""
    app = Flask(__name__)
    app.config.from_mapping(
        CONTENT=None,
        DATABASE_URL=None,  # stored assignments; None: $QUIZGEN_DATABASE_URL or the default file
        # Quiz answers are a few bytes each; anything bigger is not a real submission.
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
    )
    if test_config is None:
        app.config.from_prefixed_env("QUIZGEN")  # QUIZGEN_CONTENT=/path for `flask --app web run`
    else:
        app.config.update(test_config)

    app.json = OrjsonProvider(app)  # keeps the API's fields in their natural order, and is fast

    # Loaded once: every request shares the library and its distractor index.
    library = load_library(app.config["CONTENT"] or None)
    app.extensions[MAKER_KEY] = QuizMaker(library)
    app.extensions["quizgen.apkg_cache"] = {}

    from .api import bp as api_bp
    from .decks import bp as decks_bp
    from .quiz import bp as quiz_bp

    app.register_blueprint(decks_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(api_bp)
    _register_worksheets(app)
    from .assignments import init_app as init_assignments

    init_assignments(app)  # stored assignments: DATABASE_URL, else $QUIZGEN_DATABASE_URL, else a file

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"worksheets_enabled": "worksheets" in app.blueprints,
                "assignments_enabled": "assignments" in app.blueprints}

    app.after_request(_security_headers)
    _register_error_handlers(app)
    return app


def _register_worksheets(app: Flask) -> None:
    # The worksheet blueprint is a colleague's file; the site must still run without it.
    try:
        from .worksheets import bp as worksheets_bp
    except ModuleNotFoundError as exc:
        if exc.name not in (f"{__name__}.worksheets",):
            raise
        log.info("web/worksheets.py not present; printable worksheets are off")
        return
    app.register_blueprint(worksheets_bp)


def _security_headers(response: Response) -> Response:
    # The worksheet blueprint sets its own policy (it needs inline print styles).
    if "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = CSP
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(status: int, title: str, message: str):
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
        }
        message = messages.get(exc.code or 500, exc.description or "")
        response = error_response(exc.code or 500, exc.name, message)
        if exc.code == 405 and isinstance(response, tuple):
            body, status = response
            headers = {"Allow": ", ".join(getattr(exc, "valid_methods", None) or [])}
            return body, status, headers
        return response

    @app.errorhandler(Exception)
    def _internal(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Something went wrong",
                              "Something went wrong on our side. Please try again in a moment.")
