"""API endpoints of the platform itself: tokens for mobile clients."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from neuralnotes.api import error_responses
from neuralnotes.models import ApiToken
from neuralnotes.tokens import api_token_for_credentials


class TokenInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class TokenOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]


class NewTokenOutput(TokenOutput):
    token = serializers.CharField()

    class Meta(TokenOutput.Meta):
        fields = [*TokenOutput.Meta.fields, "token"]


class TokenListView(APIView):
    throttle_scope = "sign-in"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else super().get_permissions()

    def get_throttles(self):
        from neuralnotes.throttling import ScopedRateThrottle

        return [ScopedRateThrottle()] if self.request.method == "POST" else super().get_throttles()

    @extend_schema(
        operation_id="auth_tokens_list",
        tags=["auth"],
        responses={
            200: inline_serializer("TokenList", fields={"results": TokenOutput(many=True)}),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> Response:
        """Your tokens (never their keys)."""
        return Response({"results": TokenOutput(request.user.api_tokens.all(), many=True).data})

    @extend_schema(
        operation_id="auth_tokens_create",
        tags=["auth"],
        request=TokenInput,
        responses={201: NewTokenOutput, **error_responses(400, 415)},
    )
    def post(self, request: Request) -> Response:
        """Sign in with username and password; the answer holds the token, shown only this once."""
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = api_token_for_credentials(request=request, **data.validated_data)
        token.token = key
        return Response(NewTokenOutput(token).data, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    @extend_schema(
        operation_id="auth_tokens_destroy",
        tags=["auth"],
        responses={204: OpenApiResponse(description="Revoked."), **error_responses(404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        """Revoke one of your tokens."""
        get_object_or_404(ApiToken, pk=pk, user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
