from django.apps import AppConfig


class PlaylistsConfig(AppConfig):
    name = "playlists"

    def ready(self) -> None:
        from playlists import receivers  # noqa: F401  connects them to songs.signals
