from django.urls import path

from playlists import views

app_name = "playlists"
urlpatterns = [
    path("", views.playlist_list, name="list"),
    path("<int:pk>/", views.playlist_detail, name="detail"),
    path("shared/<str:token>/", views.playlist_shared, name="shared"),
]
