"""The OpenAPI schema is valid, complete (every API route is in it, so a new endpoint without a
schema fails here) and describes errors and authentication the same way everywhere."""

import re

from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

AREAS = {
    "auth",
    "songs",
    "map",
    "playlists",
    "catalogue",
    "mixes",
    "artists",
    "history",
    "discovery",
}
METHODS = ("get", "put", "post", "patch", "delete")


def api_routes(patterns=None, prefix: str = ""):
    """(route, view) for every URL pattern of the project, routes as written in urls.py."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def openapi_path(route: str) -> str:
    """``api/v1/songs/<int:pk>/`` or a regex route as ``/api/v1/songs/{}/``."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", path)
    path = re.sub(r"<(?:\w+:)?\w+>", "{}", path)
    return "/" + path.replace("\\", "")


def test_the_schema_validates_without_a_warning(tmp_path):
    # The command of the README: OpenAPI 3 validation, and any generator warning fails it.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3.")


def test_every_api_route_and_method_is_in_the_schema(api_schema):
    routed = set()
    for route, view in api_routes():
        if not route.startswith("api/v1/"):
            continue
        view_class = getattr(view, "view_class", None)
        methods = [m for m in METHODS if hasattr(view_class, m)] or ["(a view without methods)"]
        routed |= {(m, openapi_path(route)) for m in methods}
    documented = {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for path, item in api_schema.raw_schema["paths"].items()
        for method in item
        if method in METHODS
    }
    assert len(routed) >= 38
    assert routed == documented


def test_operations_have_unique_ids_an_area_and_the_error_shape(api_schema):
    operations = [
        (f"{method.upper()} {path}", operation)
        for path, item in api_schema.raw_schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    ids = [operation["operationId"] for _, operation in operations]
    assert len(ids) == len(set(ids))
    error = {"$ref": "#/components/schemas/ErrorOutput"}
    for name, operation in operations:
        assert len(operation["tags"]) == 1 and set(operation["tags"]) <= AREAS, name
        responses = operation["responses"]
        for status in ("401", "429"):  # everything authenticates and is throttled
            assert responses[status]["content"]["application/json"]["schema"] == error, name
        for status in ("400", "403", "404"):
            if status in responses:
                assert responses[status]["content"]["application/json"]["schema"] == error, name


def test_staff_endpoints_document_403_and_no_others_do(api_schema):
    staff = {
        ("post", "/api/v1/batches/"),
        ("get", "/api/v1/batches/{id}/"),
        ("post", "/api/v1/batches/{id}/files/"),
        ("post", "/api/v1/uploads/"),
        ("post", "/api/v1/songs/{id}/retry/"),
        ("get", "/api/v1/models/"),
        ("post", "/api/v1/models/train/"),
        ("post", "/api/v1/models/{id}/activate/"),
        ("post", "/api/v1/map/rebuild/"),
        ("get", "/api/v1/duplicates/"),
        ("post", "/api/v1/duplicates/{id}/merge/"),
        ("post", "/api/v1/duplicates/{id}/dismiss/"),
        ("post", "/api/v1/duplicates/scan/"),
    }
    with_403 = {
        (method, path)
        for path, item in api_schema.raw_schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS and "403" in operation["responses"]
    }
    assert with_403 == staff


def test_tokens_are_an_api_key_in_the_authorization_header(api_schema):
    schemes = api_schema.raw_schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["type"] == "apiKey"
    assert schemes["tokenAuth"]["in"] == "header"
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert schemes["tokenAuth"]["description"].startswith("Token <key>")
    sign_in = api_schema.raw_schema["paths"]["/api/v1/auth/tokens/"]["post"]
    assert {} in sign_in["security"]  # sign-in needs no credentials


def test_binary_answers_name_their_media_types(api_schema):
    paths = api_schema.raw_schema["paths"]

    def media(path: str, status: str) -> set[str]:
        return set(paths[path]["get"]["responses"][status]["content"])

    assert media("/api/v1/map/points/", "200") == {"application/octet-stream"}
    assert "audio/*" in media("/api/v1/songs/{id}/audio/", "200")
    assert "audio/*" in media("/api/v1/songs/{id}/audio/", "206")
    assert media("/api/v1/songs/{id}/spectrogram.png", "200") == {"image/png"}
    assert media("/api/v1/playlists/{id}/export.{fmt}", "200") == {
        "audio/x-mpegurl",
        "application/json",
    }


def test_the_schema_and_its_docs_need_a_signed_in_user_unless_opened(client, listener, settings):
    from neuralnotes.tokens import api_token_create

    pages = ("/api/schema/", "/api/docs/")
    for page in pages:  # anonymous: refused, with and without a made-up token
        assert client.get(page).status_code == 401, page
        assert client.get(page, HTTP_AUTHORIZATION="Token not-a-key").status_code == 401, page
    _, key = api_token_create(user=listener)
    for page in pages:
        assert client.get(page, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200, page
    client.force_login(listener)
    for page in pages:
        assert client.get(page).status_code == 200, page
    client.logout()
    settings.API_DOCS_PUBLIC = True
    for page in pages:
        assert client.get(page).status_code == 200, page
