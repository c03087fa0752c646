"""Project-wide pages: the landing redirect, sign-up, and the error pages."""

import sys

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from neuralnotes.outages import SERVICE_DOWN_ERRORS

# What a 503 asks clients to wait before trying again (seconds).
RETRY_AFTER_S = 5


def home(request: HttpRequest) -> HttpResponse:
    return redirect("explorer:explore")


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404s: API clients get the API's JSON error shape, browsers the page."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "not_found", "message": "No such endpoint.", "fields": {}}}
        return JsonResponse(body, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: an outage of the database or the broker is a 503 with a plain page.

    Rendered without the request's context: that would load the signed-in user, from the very
    database that may be down."""
    _, exc, _ = sys.exc_info()
    if isinstance(exc, SERVICE_DOWN_ERRORS):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's keys for apps: API keys (the REST API's tokens, which Subsonic
    clients take as apiKey) and the Subsonic app password for clients that sign with a salt."""
    from neuralnotes.models import ApiToken
    from neuralnotes.tokens import api_token_create
    from subsonic.auth import AppPasswordError, app_password_clear, app_password_set
    from subsonic.models import AppPassword

    new_key = error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create-key":
            _, new_key = api_token_create(user=request.user, name=request.POST.get("name", ""))
        elif action == "revoke-key":
            ApiToken.objects.filter(user=request.user, id=request.POST.get("id") or 0).delete()
            return redirect("account")
        elif action == "set-app-password":
            password = request.POST.get("password", "")
            if password != request.POST.get("confirm", ""):
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
            "error": error,
            "has_app_password": AppPassword.objects.filter(user=request.user).exists(),
            "server_address": request.build_absolute_uri("/").rstrip("/"),
        },
        status=400 if error else 200,
    )
