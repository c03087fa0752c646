"""What every API endpoint shares: the error format and the role permissions."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from neuralnotes.errors import RETRY_AFTER_S, DomainError
from neuralnotes.outages import SERVICE_DOWN_ERRORS
from songs.models import can_manage_catalogue


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "service_unavailable"
    default_detail = "A service this needs cannot be reached just now."


_CODES = {400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


class _DomainRefusal(exceptions.APIException):
    """A DomainError other than a 400, as DRF's handler takes it (it also rolls back)."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error), code=error.code)
        self.status_code = error.status
        self.default_code = error.code
        self.retry_after_s = error.retry_after_s


def _from_domain(error: DomainError) -> exceptions.APIException:
    """The one translation of a domain error: a 400 files its message under the error's input
    field, as a serializer would; any other status keeps the error's code and Retry-After."""
    if error.status == 400:
        return exceptions.ValidationError({error.field: [str(error)]})
    return _DomainRefusal(error)


def exception_handler(exc, context) -> Response | None:
    """Errors as ``{"error": {"code", "message", "fields"}}`` whatever raised them. A service
    that cannot be reached is a 503 the client may retry, never a 500."""
    if isinstance(exc, DomainError):
        exc = _from_domain(exc)
    elif isinstance(exc, SERVICE_DOWN_ERRORS):
        exc = ServiceUnavailable(
            "A service this needs (the database, the broker or the media storage) cannot be "
            "reached just now. Please try again in a minute."
        )
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
    if isinstance(exc, ServiceUnavailable):
        code = exc.get_codes()
        response["Retry-After"] = str(RETRY_AFTER_S)
    elif isinstance(exc, _DomainRefusal) and exc.retry_after_s is not None:
        response["Retry-After"] = str(exc.retry_after_s)
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


class IsCatalogueManager(permissions.BasePermission):
    message = "Only catalogue managers may do this."

    def has_permission(self, request, view) -> bool:
        return can_manage_catalogue(request.user)


class ErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found, throttled.")
    message = serializers.CharField()
    fields = serializers.DictField(
        help_text="For 400: the messages by field name (nested for nested fields); else empty."
    )


class ErrorOutput(serializers.Serializer):
    """The body of every error answer (what exception_handler makes)."""

    error = ErrorBody()


_ERROR_MEANINGS = {
    400: "Invalid request: the messages are in error.fields.",
    401: "Not signed in, or the token is invalid or has expired.",
    403: "Signed in, but this needs a catalogue manager.",
    404: "No such object, or not one you may see.",
    413: "The upload is larger than this endpoint accepts (refused as it arrives).",
    415: "The request's Content-Type is not one this endpoint reads.",
    429: "Too many requests: wait the seconds in the Retry-After header.",
    503: "A worker or a service could not do it just now: try again after Retry-After seconds.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an endpoint, for extend_schema(responses=...): the
    statuses given plus 401 and 429, which every endpoint can answer (each one authenticates,
    even sign-in when a bad Authorization header is sent, and each one is throttled)."""
    return {
        code: OpenApiResponse(ErrorOutput, description=_ERROR_MEANINGS[code])
        for code in sorted({*statuses, 401, 429})
    }
