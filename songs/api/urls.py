from django.urls import path

from songs.api import artists, discovery, duplicates, embedding_models, listening, views

app_name = "songs-api"
urlpatterns = [
    path("batches/", views.BatchListView.as_view(), name="batch-list"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
    path("batches/<int:pk>/files/", views.BatchFilesView.as_view(), name="batch-files"),
    path("uploads/", views.UploadView.as_view(), name="upload"),
    path("songs/<int:pk>/retry/", views.SongRetryView.as_view(), name="song-retry"),
    path("models/", embedding_models.EmbeddingModelListView.as_view(), name="model-list"),
    path("models/train/", embedding_models.GenreModelTrainView.as_view(), name="model-train"),
    path(
        "models/<int:pk>/activate/",
        embedding_models.EmbeddingModelActivateView.as_view(),
        name="model-activate",
    ),
    path("artists/<str:key>/", artists.ArtistDetailView.as_view(), name="artist-detail"),
    path("artists/<str:key>/similar/", artists.ArtistSimilarView.as_view(), name="artist-similar"),
    path("duplicates/", duplicates.NearDuplicateListView.as_view(), name="duplicate-list"),
    path("duplicates/scan/", duplicates.NearDuplicateScanView.as_view(), name="duplicate-scan"),
    path(
        "duplicates/<int:pk>/merge/",
        duplicates.NearDuplicateMergeView.as_view(),
        name="duplicate-merge",
    ),
    path(
        "duplicates/<int:pk>/dismiss/",
        duplicates.NearDuplicateDismissView.as_view(),
        name="duplicate-dismiss",
    ),
    path("songs/", listening.SongListView.as_view(), name="song-list"),
    path("songs/search/", listening.SongSearchView.as_view(), name="song-search"),
    path("songs/by-words/", discovery.WordSearchView.as_view(), name="song-by-words"),
    path("songs/alchemy/", discovery.AlchemyView.as_view(), name="song-alchemy"),
    path("songs/similar-to-clip/", listening.SimilarToClipView.as_view(), name="similar-to-clip"),
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
