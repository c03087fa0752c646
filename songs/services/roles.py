from django.contrib.auth.models import Group, User
from django.db import transaction

# Listeners are plain accounts; catalogue managers are staff in this group, which holds
# ``songs.manage_catalogue`` and the song admin permissions (migration 0002); admins are superusers.
CATALOGUE_MANAGERS = "Catalogue managers"


@transaction.atomic
def user_make_catalogue_manager(*, user: User) -> User:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=CATALOGUE_MANAGERS))
    return user
