from django.apps import AppConfig


class NeuralNotesConfig(AppConfig):
    name = "neuralnotes"
    verbose_name = "Neural Notes"

    def ready(self) -> None:
        # They register the settings check of TRUSTED_PROXIES and the token scheme of the schema.
        from neuralnotes import client_address, schema  # noqa: F401
