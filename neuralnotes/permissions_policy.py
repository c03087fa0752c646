"""The Permissions-Policy header: browser features this site never uses are switched off for its
pages and anything they embed, so injected script could not ask for them either.

Django has no setting for it and the header is one fixed string, so a small middleware of our own
is simpler than a dependency.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Permissions-Policy"


def permissions_policy_header(*, policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "autoplay": ["self"]}`` -> ``camera=(), autoplay=(self)``: an empty list
    denies the feature everywhere; "self" and "*" are written bare, origins quoted."""

    def allowlist(origins: list[str]) -> str:
        return " ".join(o if o in ("self", "*") else f'"{o}"' for o in origins)

    return ", ".join(f"{feature}=({allowlist(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(policy=settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault(HEADER, self.header)
        return response
