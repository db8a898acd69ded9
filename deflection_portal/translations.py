"""Compiling the translation catalogues (locale/<code>/LC_MESSAGES/*.po) into the .mo files
Django reads, in Python: no system gettext is needed to run the portal or its tests.

A catalogue is compiled when its .mo is missing or older than the .po. Fuzzy and untranslated
entries are left out (Django then shows the English), as GNU msgfmt does.
"""

import os
import tempfile
from pathlib import Path

import polib

# The project's catalogues (settings.LOCALE_PATHS names the same folder). Run as
# `python -m deflection_portal.translations`, this needs no settings: `make test` compiles
# before any environment is set.
LOCALE_ROOT = Path(__file__).resolve().parent.parent / "locale"


def catalogues(root: Path = LOCALE_ROOT) -> list[Path]:
    return sorted(Path(root).glob("*/LC_MESSAGES/*.po"))


def compile_catalogues(*, force: bool = False, root: Path = LOCALE_ROOT) -> list[Path]:
    """Compile what is out of date; return the .mo files written."""
    written = []
    for po_path in catalogues(root):
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


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"Compiled {path}")
