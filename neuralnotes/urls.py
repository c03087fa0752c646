from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from neuralnotes import api_views, health, metrics, operations, signup, views

accounts = [
    path("", views.account, name="account"),
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            # A callable: the template asks it on each request, so the setting is read then.
            extra_context={"signup_offered": signup.signup_offered},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("operations/", operations.operations, name="operations"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include(accounts)),
    path("explore/", include("explorer.urls")),
    path("catalogue/", include("songs.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/tokens/", api_views.TokenListView.as_view(), name="api-tokens"),
    path("api/v1/auth/tokens/<int:pk>/", api_views.TokenDetailView.as_view(), name="api-token"),
    path("api/v1/", include("songs.api.urls")),
    path("api/v1/", include("explorer.api.urls")),
    path("api/v1/", include("playlists.api.urls")),
    path("playlists/", include("playlists.urls")),
    path("rest/", include("subsonic.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = views.not_found
handler500 = views.server_error
