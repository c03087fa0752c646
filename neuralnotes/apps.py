from django.apps import AppConfig


class NeuralNotesConfig(AppConfig):
    name = "neuralnotes"
    verbose_name = "Neural Notes"

    def ready(self) -> None:
        from neuralnotes import schema  # noqa: F401  (registers the token scheme for the schema)
