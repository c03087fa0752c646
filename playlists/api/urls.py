from django.urls import path, re_path

from playlists.api import history, views

app_name = "playlists-api"
urlpatterns = [
    path("playlists/", views.PlaylistListView.as_view(), name="list"),
    path("playlists/generate/", views.GenerateView.as_view(), name="generate"),
    path("playlists/<int:pk>/", views.PlaylistDetailView.as_view(), name="detail"),
    path("playlists/<int:pk>/songs/", views.PlaylistSongsView.as_view(), name="songs"),
    path(
        "playlists/<int:pk>/entries/<int:entry_id>/",
        views.PlaylistEntryView.as_view(),
        name="entry",
    ),
    path("playlists/<int:pk>/share/", views.PlaylistShareView.as_view(), name="share"),
    re_path(
        r"^playlists/(?P<pk>\d+)/export\.(?P<fmt>m3u8|json)$",
        views.PlaylistExportView.as_view(),
        name="export",
    ),
    path("shared/<str:token>/", views.SharedPlaylistView.as_view(), name="shared"),
    path("favourites/", views.FavouriteListView.as_view(), name="favourites"),
    path("favourites/<int:song_id>/", views.FavouriteView.as_view(), name="favourite"),
    path("history/", history.HistoryView.as_view(), name="history"),
    path("history/pause/", history.HistoryPauseView.as_view(), name="history-pause"),
    path("history/more-like/", history.MoreLikeMyPlaysView.as_view(), name="history-more-like"),
    path("history/new-to-me/", history.NewToMeView.as_view(), name="history-new-to-me"),
    path("history/map/", history.ListeningMapView.as_view(), name="history-map"),
    path("history/<int:pk>/", history.HistoryPlayView.as_view(), name="history-play"),
]
