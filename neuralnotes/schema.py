"""How the OpenAPI schema (drf-spectacular) describes what it cannot find out by itself, and who
may read it."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.permissions import BasePermission


class SignedInOrPublicDocs(BasePermission):
    """``/api/schema/`` and ``/api/docs/`` map every endpoint of the server: for signed-in users
    (session or token) only, unless ``API_DOCS_PUBLIC`` opens them. Read per request, so that a
    test can open them for its own run."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    target_class = "neuralnotes.tokens.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Token <key>: the key from POST /api/v1/auth/tokens/ (shown once). "
                "Keys expire; sign in again for a new one."
            ),
        }
