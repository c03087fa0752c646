from django.urls import re_path

from subsonic import views

urlpatterns = [
    re_path(r"^(?P<method>[A-Za-z0-9]+)(?:\.view|\.m3u8)?$", views.rest, name="subsonic"),
]
