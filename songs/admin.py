from django.contrib import admin

from songs.models import Song


@admin.register(Song)
class SongAdmin(admin.ModelAdmin):
    list_display = ["title", "artist", "album", "genre", "status", "created_at"]
    list_filter = ["status", "genre"]
    search_fields = ["title", "artist", "album"]
