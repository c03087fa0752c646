"""The one base of the domain errors: what a service refuses, and how an edge should answer it.

Services raise a subclass and know nothing of HTTP; the API's exception handler
(neuralnotes.api.exception_handler) and the pages' 500 handler (neuralnotes.views.server_error)
read these attributes once, so no view translates an error by hand. A leaf module: it imports
nothing of ours, so every app (and not ``ml``, which stays free of the project) may derive from it.
"""

# Seconds a client is told to wait (Retry-After) when a service is down: pages and the API.
RETRY_AFTER_S = 5


class DomainError(Exception):
    """A request the domain refuses; the message says why, in words for the user.

    ``status``: the HTTP status an edge answers. ``code``: the machine-readable error code
    (``error.code``; a 400 is always ``invalid``). ``field``: for a 400, the input field the
    message is filed under in ``error.fields``. ``retry_after_s``: seconds for a Retry-After
    header (a 429 or 503 the client may retry), or None."""

    status: int = 400
    code: str = "invalid"
    field: str = "detail"
    retry_after_s: int | None = None
