#!/usr/bin/env python
"""Django's command-line entry point for ragplatform."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ragplatform.settings")
    from django.core.management import execute_from_command_line

    from ragplatform.startup import load_settings, prepare_process

    prepare_process()  # production secrets, or the embedded database when none is configured
    load_settings()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
