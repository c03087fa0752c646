from django.urls import path

from songs.api import listening, views

app_name = "songs-api"
urlpatterns = [
    path("batches/", views.BatchListView.as_view(), name="batch-list"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
    path("batches/<int:pk>/files/", views.BatchFilesView.as_view(), name="batch-files"),
    path("uploads/", views.UploadView.as_view(), name="upload"),
    path("songs/<int:pk>/retry/", views.SongRetryView.as_view(), name="song-retry"),
    path("songs/", listening.SongListView.as_view(), name="song-list"),
    path("songs/search/", listening.SongSearchView.as_view(), name="song-search"),
    path("songs/<int:pk>/", listening.SongDetailView.as_view(), name="song-detail"),
    path("songs/<int:pk>/similar/", listening.SongSimilarView.as_view(), name="song-similar"),
    path("songs/<int:pk>/surprise/", listening.SongSurpriseView.as_view(), name="song-surprise"),
    path("songs/<int:pk>/audio/", listening.SongAudioView.as_view(), name="song-audio"),
    path(
        "songs/<int:pk>/spectrogram.png",
        listening.SongSpectrogramView.as_view(),
        name="song-spectrogram",
    ),
]
