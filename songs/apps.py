from django.apps import AppConfig


class SongsConfig(AppConfig):
    name = "songs"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from songs import receivers  # noqa: F401  connects them to songs.signals
