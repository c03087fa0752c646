from django.urls import path

from explorer.api import mixes, views

app_name = "explorer-api"
urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
    path("map/points/", views.MapPointsView.as_view(), name="map-points"),
    path("map/rebuild/", views.MapRebuildView.as_view(), name="map-rebuild"),
    path("mixes/", mixes.MixListView.as_view(), name="mix-list"),
    path("mixes/<int:pk>/", mixes.MixDetailView.as_view(), name="mix-detail"),
    path("mixes/<int:pk>/save/", mixes.MixSaveView.as_view(), name="mix-save"),
]
