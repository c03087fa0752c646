from django.apps import AppConfig


class NeuralNotesConfig(AppConfig):
    name = "neuralnotes"
    verbose_name = "Neural Notes"
