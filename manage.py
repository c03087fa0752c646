#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

With the local settings (the default) it first starts, or attaches to, the embedded PostgreSQL
and Redis of the development install, unless DATABASE_URL and REDIS_URL name others: the
settings only say where they are. They stop when the last process using them exits.
"""

import os
import sys

LOCAL_SETTINGS = "neuralnotes.settings.local"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", LOCAL_SETTINGS)
    if os.environ["DJANGO_SETTINGS_MODULE"] == LOCAL_SETTINGS:
        from django.core.exceptions import ImproperlyConfigured

        from neuralnotes import embedded

        try:
            embedded.start_local_services(var_dir=embedded.var_dir(), env=os.environ)
        except (embedded.EmbeddedServiceError, ImproperlyConfigured) as exc:
            sys.exit(f"Error: {exc}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
