from django.urls import path

from playlists import views

app_name = "playlists"
urlpatterns = [
    path("", views.playlist_list, name="list"),
    path("<int:pk>/", views.playlist_detail, name="detail"),
    path("shared/<str:token>/", views.playlist_shared, name="shared"),
    path("share/<str:token>/", views.share_public, name="share"),
    path("share/<str:token>/<int:song_id>/audio", views.share_audio, name="share-audio"),
    path("history/", views.history, name="history"),
    path("history/pause/", views.history_pause, name="history-pause"),
    path("history/delete/", views.history_delete_all, name="history-delete-all"),
    path("history/<int:pk>/delete/", views.history_delete_play, name="history-delete-play"),
]
