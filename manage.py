#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicelead.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings now, to report them plainly
    except ImproperlyConfigured as problem:
        # e.g. no SECRET_KEY with DEBUG off: say so in one line, not a chain of tracebacks
        sys.exit(f"Servicelead cannot start: {problem}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
