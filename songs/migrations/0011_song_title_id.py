"""Songs by title, for the searches that list them in that order (subsonic.search)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("songs", "0010_names_that_say_what_they_are"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="song",
            index=models.Index(fields=["title", "id"], name="song_title_id"),
        ),
    ]
