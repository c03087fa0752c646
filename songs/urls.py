from django.urls import path

from songs import views

app_name = "songs"
urlpatterns = [
    path("", views.catalogue_overview, name="overview"),
    path("upload/", views.upload, name="upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
]
