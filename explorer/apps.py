from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    name = "explorer"

    def ready(self) -> None:
        from explorer import receivers  # noqa: F401  connects them to songs.signals
