"""Project-wide pages: the landing redirect, sign-up, and the error pages."""

import sys

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from neuralnotes import signup as signup_rules  # a module named like the view below
from neuralnotes.errors import RETRY_AFTER_S, DomainError
from neuralnotes.outages import SERVICE_DOWN_ERRORS
from neuralnotes.sign_in_limits import password_confirmed


def home(request: HttpRequest) -> HttpResponse:
    return redirect("explorer:explore")


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    """Sign-up as the SIGNUP setting has it (neuralnotes.signup): open, by invitation link, or
    closed (a page that says so); attempts are limited per client address."""
    if request.user.is_authenticated:
        return redirect("home")
    mode = signup_rules.signup_mode()
    if mode == signup_rules.CLOSED:
        return render(request, "registration/signup_closed.html", {"reason": "closed"}, status=403)
    token = request.POST.get("invitation") or request.GET.get("invitation") or ""
    if request.method == "POST" and (wait := signup_rules.signup_attempt_wait(request=request)):
        response = render(
            request,
            "registration/signup_closed.html",
            {"reason": "throttled", "wait_minutes": -(-wait // 60)},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    invitation = None
    if mode == signup_rules.INVITE:
        invitation = signup_rules.invitation_usable(token=token)
        if invitation is None:
            reason = "unusable" if token else "invite"
            return render(
                request, "registration/signup_closed.html", {"reason": reason}, status=403
            )
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = signup_rules.user_sign_up(form=form, invitation=invitation)
        except signup_rules.InvitationUnusable:
            return render(
                request, "registration/signup_closed.html", {"reason": "unusable"}, status=403
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(
        request,
        "registration/signup.html",
        {"form": form, "invitation": invitation.token if invitation else ""},
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404s: API clients get the API's JSON error shape, browsers the page."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "not_found", "message": "No such endpoint.", "fields": {}}}
        return JsonResponse(body, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: an outage of the database or the broker, or a domain error with a 503
    status, is a 503 with a plain page.

    Rendered without the request's context: that would load the signed-in user, from the very
    database that may be down."""
    _, exc, _ = sys.exc_info()
    # A domain error that means "down" (StorageUnavailable …) answers as an outage does.
    down = isinstance(exc, DomainError) and exc.status == 503
    if down or isinstance(exc, SERVICE_DOWN_ERRORS):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(getattr(exc, "retry_after_s", None) or RETRY_AFTER_S)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's keys for apps: API keys (the REST API's tokens, which Subsonic
    clients take as apiKey) and the Subsonic app password for clients that sign with a salt.
    Making either asks for the login password again: a session left open or stolen must not
    become a key that outlives it."""
    from neuralnotes.models import ApiToken
    from neuralnotes.tokens import api_token_create
    from subsonic.auth import AppPasswordError, app_password_clear, app_password_set
    from subsonic.models import AppPassword

    new_key = error = key_error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        confirmed = action in ("create-key", "set-app-password") and password_confirmed(
            request=request, user=request.user, password=request.POST.get("current_password", "")
        )
        if action == "create-key":
            if confirmed:
                name = request.POST.get("name", "")
                _, new_key = api_token_create(user=request.user, name=name)
            else:
                key_error = "That is not your password: no key was made."
        elif action == "revoke-key":
            ApiToken.objects.filter(user=request.user, id=request.POST.get("id") or 0).delete()
            return redirect("account")
        elif action == "set-app-password":
            password = request.POST.get("password", "")
            if not confirmed:
                error = "That is not your login password: the app password stays as it was."
            elif password != request.POST.get("confirm", ""):
                error = "The two app passwords differ."
            else:
                try:
                    app_password_set(user=request.user, password=password)
                except AppPasswordError as exc:
                    error = str(exc)
                else:
                    return redirect("account")
        elif action == "clear-app-password":
            app_password_clear(user=request.user)
            return redirect("account")
    return render(
        request,
        "registration/account.html",
        {
            "keys": ApiToken.objects.filter(user=request.user),
            "new_key": new_key,
            "key_error": key_error,
            "error": error,
            "has_app_password": AppPassword.objects.filter(user=request.user).exists(),
            "server_address": request.build_absolute_uri("/").rstrip("/"),
        },
        status=400 if error or key_error else 200,
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's, with the old password checked as a sign-in is (neuralnotes.sign_in_limits):
    a session must not become a way to guess the password without limit."""

    def __init__(self, *args, request: HttpRequest, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not password_confirmed(request=self.request, user=self.user, password=old_password):
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    """The new password revokes the account's API keys and app password (neuralnotes.credentials);
    both pages say so."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}
