"""gunicorn's logger, with no credential in its lines.

gunicorn writes the request line (``%(r)s``, with the query: a Subsonic client's ``p``, ``t``,
``s`` or ``apiKey``) and any header asked for (``%({authorization}i)s``) to its access log when
one is turned on, and the URI to its error log when a request fails outside Django ("Error
handling request /rest/stream?u=…&p=…"). Both go through ``structured_logging.redact`` here.
Used by ``neuralnotes.gunicorn_conf`` and by ``make run``'s launcher (``--logger-class``).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from neuralnotes.structured_logging import CREDENTIAL_HEADERS, REDACTED, RedactFilter, redact


class RedactingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactFilter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            # "{authorization}i", "{cookie}i", "{set-cookie}o", "{http_cookie}e" …
            name = key[1:-2].lower().removeprefix("http_").replace("_", "-")
            if key.startswith("{") and name in CREDENTIAL_HEADERS:
                atoms[key] = REDACTED
            elif key in ("q", "{query_string}e") and value:  # a query without its "?"
                atoms[key] = redact(f"?{value}")[1:]
            elif isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
