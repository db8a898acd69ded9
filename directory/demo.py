"""The directory's rows for `load_demo_content`: every county and tribe, status unknown until
staff set it (the migration adds them too; this puts back any a test run or a reset removed)."""

from .models import Jurisdiction
from .places import ensure_places


def load(stdout) -> None:
    added = ensure_places(Jurisdiction)
    if added:
        stdout.write(f"Program directory: {added} counties and tribes added.")
