"""Uploaded files: safe stored names."""

import uuid
from pathlib import PurePath

from django.utils import timezone
from django.utils.text import slugify


def safe_upload_name(filename: str) -> str:
    """A stored name under resources/YYYY/MM/: a slug of the original stem, a random part, and
    the lower-cased extension. Nothing the uploader chose can traverse folders or clash."""
    original = PurePath(filename.replace("\\", "/")).name
    stem, _, ext = original.rpartition(".")
    if not stem:
        stem, ext = ext, ""
    safe_stem = slugify(stem)[:60] or "file"
    safe_ext = slugify(ext)[:10]
    name = f"{safe_stem}-{uuid.uuid4().hex[:12]}" + (f".{safe_ext}" if safe_ext else "")
    return f"resources/{timezone.now():%Y/%m}/{name}"
