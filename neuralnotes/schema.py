"""How the OpenAPI schema (drf-spectacular) describes what it cannot find out by itself."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
