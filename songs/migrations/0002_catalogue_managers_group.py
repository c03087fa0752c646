from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Catalogue managers"
PERMISSIONS = ["manage_catalogue", "add_song", "change_song", "delete_song", "view_song"]


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran; the group needs them now.
    songs = apps.get_app_config("songs")
    songs.models_module = True
    create_permissions(songs, apps=apps, verbosity=0)
    songs.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="songs", codename__in=PERMISSIONS)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("songs", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
