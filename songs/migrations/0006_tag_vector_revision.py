from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("songs", "0005_discovery"),
    ]

    # The sequence belongs to no column on purpose: a flush (TRUNCATE ... RESTART IDENTITY)
    # leaves it counting up, so revisions never repeat (songs.tag_matrix relies on that).
    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE songs_tagvector_revision_seq",
            "DROP SEQUENCE songs_tagvector_revision_seq",
        ),
        migrations.AddField(
            model_name="tagvector",
            name="revision",
            field=models.BigIntegerField(
                db_default=models.Func(
                    models.Value("songs_tagvector_revision_seq"), function="nextval"
                ),
                db_index=True,
                editable=False,
            ),
        ),
    ]
