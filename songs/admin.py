from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from songs.models import Catalogue, EmbeddingModel, Song, UploadBatch
from songs.services.analysis import song_retry
from songs.services.demo import DEMO_CATALOGUE, demo_catalogue_remove
from songs.services.embeddings import EmbeddingModelError, embedding_model_activate


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    actions = ["remove_demo"]

    @admin.action(description="Remove the demo catalogue (its songs and all that hangs on them)")
    def remove_demo(self, request, queryset) -> None:
        if not queryset.filter(name=DEMO_CATALOGUE).exists():
            self.message_user(request, "Choose the demo catalogue to remove it.", messages.ERROR)
            return
        removed = demo_catalogue_remove()
        self.message_user(
            request,
            f"Removed {removed.songs} demo songs, {removed.playlist_entries} playlist entries "
            f"and {removed.files} files; the embedding is refitted on the songs that remain.",
        )


@admin.register(UploadBatch)
class UploadBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "catalogue", "source", "created_by", "created_at", "song_count"]
    list_filter = ["source", "catalogue"]
    readonly_fields = ["rejected", "duplicates"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_songs=Count("songs"))

    @admin.display(ordering="n_songs", description="songs")
    def song_count(self, batch: UploadBatch) -> int:
        return batch.n_songs


@admin.register(Song)
class SongAdmin(admin.ModelAdmin):
    list_display = ["title", "artist", "album", "genre", "predicted_genre", "status", "created_at"]
    list_filter = ["status", "catalogue", "genre"]
    search_fields = ["title", "artist", "album"]
    readonly_fields = [
        "content_sha256", "original_name", "size_bytes", "audio_format", "duration_s",
        "sample_rate", "channels", "status", "error", "attempts", "queued_at",
        "processing_started_at", "analysed_at", "predicted_genre", "predicted_genre_probability",
        "spectrogram_image",
    ]  # fmt: skip
    exclude = ["features", "mfcc_stats", "msd_tag_probabilities", "spectrogram"]
    actions = ["retry_analysis"]

    class Media:
        css = {"all": ["css/admin.css"]}  # no style= attributes: the CSP allows none

    @admin.display(description="spectrogram")
    def spectrogram_image(self, song: Song) -> str:
        if not song.spectrogram:
            return "—"
        # The API's address, not the storage's: same-origin (the CSP's img-src) on every storage.
        url = reverse("songs-api:song-spectrogram", args=[song.id])
        return format_html('<img src="{}" alt="spectrogram" class="spectrogram">', url)

    @admin.action(description="Analyse again")
    def retry_analysis(self, request, queryset) -> None:
        songs = queryset.exclude(Song.ready_q())
        for song in songs:
            song_retry(song=song)
        self.message_user(request, f"{len(songs)} song(s) queued for analysis again.")


@admin.register(EmbeddingModel)
class EmbeddingModelAdmin(admin.ModelAdmin):
    list_display = [
        "name", "kind", "state", "is_active", "is_fitted", "fitted_on_songs", "fitted_at",
        "accuracy", "macro_f1",
    ]  # fmt: skip
    list_filter = ["kind", "state", "is_active", "is_fitted"]
    fields = [
        "name", "kind", "state", "is_active", "created_at", "is_fitted", "fitted_on_songs",
        "fitted_at",
        "genres", "metrics_table",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["activate"]

    def has_add_permission(self, request) -> bool:
        return False  # versions are made by training and by refits, not by hand

    @admin.display(description="held-out accuracy")
    def accuracy(self, embedding_model: EmbeddingModel) -> str:
        value = embedding_model.metrics.get("accuracy")
        return "—" if value is None else f"{value:.3f}"

    @admin.display(description="macro-F1")
    def macro_f1(self, embedding_model: EmbeddingModel) -> str:
        value = embedding_model.metrics.get("macro_f1")
        return "—" if value is None else f"{value:.3f}"

    @admin.display(description="metrics")
    def metrics_table(self, embedding_model: EmbeddingModel) -> str:
        scalars = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>",
            ((key, value) for key, value in embedding_model.metrics.items() if key != "confusion"),
        )  # fmt: skip
        confusion = ""
        if embedding_model.metrics.get("confusion"):
            header = format_html_join("", "<th>{}</th>", ((g,) for g in embedding_model.genres))
            rows = format_html_join(
                "",
                "<tr><th>{}</th>{}</tr>",
                (
                    (genre, format_html_join("", "<td>{}</td>", ((n,) for n in row)))
                    for genre, row in zip(
                        embedding_model.genres, embedding_model.metrics["confusion"], strict=True
                    )
                ),
            )
            confusion = format_html(
                "<p>Confusion matrix (rows: true genre, columns: predicted)</p>"
                "<table><tr><th></th>{}</tr>{}</table>",
                header,
                rows,
            )
        return format_html("<table>{}</table>{}", scalars, confusion)

    @admin.action(description="Make active (search and map use it)")
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one model.", messages.ERROR)
            return
        try:
            embedding_model = embedding_model_activate(embedding_model=queryset.get())
        except EmbeddingModelError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{embedding_model.name} is now active.")
