from django.contrib.auth.middleware import LoginRequiredMiddleware

# The REST API and the Subsonic API: clients sign each request, they have no session.
API_PREFIXES = ("/api/", "/rest/")


class SiteLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user, except those marked ``login_not_required`` and the API:
    API clients authenticate with a token that only the API's own views read, and get a 401 in
    JSON rather than a redirect to a sign-in page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(API_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
