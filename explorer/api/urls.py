from django.urls import path

from explorer.api import views

app_name = "explorer-api"
urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
    path("map/points/", views.MapPointsView.as_view(), name="map-points"),
    path("map/rebuild/", views.MapRebuildView.as_view(), name="map-rebuild"),
]
