"""Per-client rate limits on the requests that store something: creating an assignment and
submitting an attempt (Flask-Limiter).

Limits are attached here by endpoint name, not by decorators in the blueprints, so a rewrite of
a blueprint keeps them as long as its endpoints keep their names; an endpoint that is renamed
or removed makes the app refuse to start (``RATE_LIMITS`` names the ones to update).

Each limit is config ``CREATE_ASSIGNMENT_RATE`` / ``SUBMIT_ATTEMPT_RATE``, else the environment
variable of the same name with ``QUIZGEN_`` in front, else ``quizgen.limits``'.

Counters live in memory by default: per worker process, so with W workers a client may reach
W times a limit before every worker refuses it. ``RATELIMIT_STORAGE_URI`` (config, or
$QUIZGEN_RATELIMIT_STORAGE_URI) such as ``redis://host:6379`` shares them between the workers
of a server and between servers.
"""

from __future__ import annotations

import math
import os
import time

from flask import Flask, request
from flask_limiter import HeaderNames, Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from quizgen.limits import CREATE_ASSIGNMENT_RATE, SUBMIT_ATTEMPT_RATE

EXTENSION = "quizgen.limiter"
# endpoint -> (config key, default limit). Pages and the JSON API of the same action share one
# budget per client (scope), so switching between them gains nothing.
RATE_LIMITS: dict[str, tuple[str, str, str]] = {
    "assignments.create": ("CREATE_ASSIGNMENT_RATE", CREATE_ASSIGNMENT_RATE, "create-assignment"),
    "assignments.api_create": ("CREATE_ASSIGNMENT_RATE", CREATE_ASSIGNMENT_RATE, "create-assignment"),
    "assignments.submit": ("SUBMIT_ATTEMPT_RATE", SUBMIT_ATTEMPT_RATE, "submit-attempt"),
    "assignments.api_attempt": ("SUBMIT_ATTEMPT_RATE", SUBMIT_ATTEMPT_RATE, "submit-attempt"),
}


def init_app(app: Flask) -> Limiter:
    """Attach the limits to the app's endpoints (call after every blueprint is registered)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("QUIZGEN_RATELIMIT_STORAGE_URI", "memory://"))
    # Test apps (TESTING) make hundreds of assignments from one address: off unless a test turns
    # them on (RATELIMIT_ENABLED). `quizgen serve` and every real deployment have them on.
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)  # X-RateLimit-Limit, -Remaining, -Reset
    # Retry-After only on the 429 itself (below), not on every answer that counted.
    limiter = Limiter(get_remote_address, app=app, key_prefix="quizgen",
                      header_name_mapping={HeaderNames.RETRY_AFTER: "X-RateLimit-Retry-After"})
    missing = [endpoint for endpoint in RATE_LIMITS if endpoint not in app.view_functions]
    if missing:
        raise RuntimeError(f"rate limits name endpoints that do not exist: {', '.join(missing)}; "
                           "update RATE_LIMITS in quizgen_web/ratelimit.py")
    for endpoint, (key, default, scope) in RATE_LIMITS.items():
        # Config (QUIZGEN_<KEY> for `flask run`), else the environment (`quizgen serve`), else the default.
        rate = str(app.config.get(key) or os.environ.get(f"QUIZGEN_{key}") or default)
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.shared_limit(rate, scope=scope, methods=["POST"])(view)
    app.extensions[EXTENSION] = limiter
    limited = frozenset(RATE_LIMITS)

    @limiter.request_filter
    def _not_limited() -> bool:
        # Every other request skips the limiter's work (it cost ~13% of the home page's time).
        return request.endpoint not in limited or request.method != "POST"

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        from . import error_response

        body, status = error_response(
            429, "Too many requests",
            "Too many requests from your address in a short time; nothing was stored. "
            "Please wait a little and try again.")
        current = limiter.current_limit
        wait = max(1, math.ceil(current.reset_at - time.time())) if current else 60
        return body, status, {"Retry-After": str(wait)}

    return limiter
