from django.contrib.auth.middleware import LoginRequiredMiddleware

API_PREFIX = "/api/"


class SiteLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user, except those marked ``login_not_required`` and the API:
    API clients authenticate with a token that only the API's own views read, and get a 401 in
    JSON rather than a redirect to a sign-in page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(API_PREFIX):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
