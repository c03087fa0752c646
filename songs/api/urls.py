from django.urls import path

from songs.api import views

app_name = "songs-api"
urlpatterns = [
    path("batches/", views.BatchListView.as_view(), name="batch-list"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
    path("batches/<int:pk>/files/", views.BatchFilesView.as_view(), name="batch-files"),
    path("uploads/", views.UploadView.as_view(), name="upload"),
    path("songs/<int:pk>/retry/", views.SongRetryView.as_view(), name="song-retry"),
]
