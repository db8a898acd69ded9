"""Compiling the translation catalogues (locale/<code>/LC_MESSAGES/*.po) into the .mo files
Django reads, in Python: no system gettext is needed to run the portal or its tests.

A catalogue is compiled when its .mo is missing or older than the .po. Fuzzy and untranslated
entries are left out (Django then shows the English), as GNU msgfmt does.
"""

import os
import tempfile
from pathlib import Path

import polib
from django.conf import settings


def catalogues() -> list[Path]:
    return sorted(
        path for root in settings.LOCALE_PATHS for path in Path(root).glob("*/LC_MESSAGES/*.po")
    )


def compile_catalogues(*, force: bool = False) -> list[Path]:
    """Compile what is out of date; return the .mo files written."""
    written = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        # Written beside and renamed: a process reading the catalogue never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo-part")
        os.close(handle)
        try:
            catalogue.save_as_mofile(temporary)
            os.replace(temporary, mo_path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        written.append(mo_path)
    return written
