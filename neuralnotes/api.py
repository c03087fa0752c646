"""What every API endpoint shares: the error format and the role permissions."""

from rest_framework import exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

_CODES = {400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def exception_handler(exc, context) -> Response | None:
    """Errors as ``{"error": {"code", "message", "fields"}}`` whatever raised them."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        fields = response.data
        message = "The request has invalid fields."
    elif isinstance(response.data, dict) and "detail" in response.data:
        message = str(response.data["detail"])
    else:
        message = str(response.data)
    code = getattr(exc, "default_code", None) or _CODES.get(response.status_code, "error")
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


class IsCatalogueManager(permissions.BasePermission):
    message = "Only catalogue managers may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("songs.manage_catalogue"))
