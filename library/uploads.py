"""Uploaded files: safe stored names, and an allow-list of types checked by content."""

import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


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


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("pdf", "PDF", "application/pdf", ("pdf",))
PPTX = FileKind(
    "pptx",
    "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
DOCX = FileKind(
    "docx",
    "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileKind(
    "xlsx",
    "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ("xlsx",),
)
PNG = FileKind("png", "PNG", "image/png", ("png",))
JPEG = FileKind("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg"))
GIF = FileKind("gif", "GIF", "image/gif", ("gif",))
WEBP = FileKind("webp", "WebP", "image/webp", ("webp",))

ALLOWED_KINDS = (PDF, PPTX, DOCX, XLSX, PNG, JPEG, GIF, WEBP)
KIND_BY_EXTENSION = {ext: kind for kind in ALLOWED_KINDS for ext in kind.extensions}

# An Office Open XML file is a zip whose [Content_Types].xml names the main part's type and
# whose parts live in the application's folder. Macro-enabled variants (.pptm, .docm, .xlsm)
# declare a different main type and are refused.
OOXML_SIGNATURES = {
    PPTX: ("ppt/", b"application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    DOCX: ("word/", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    XLSX: ("xl/", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
CONTENT_TYPES_MAX_BYTES = 1024 * 1024

# Signatures of programs and scripts, named in the error so staff understand the refusal.
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")

ERROR_TOO_LARGE = _("This file is %(size)s; the largest file allowed is %(limit)s.")
ERROR_EMPTY = _("This file is empty.")
ERROR_EXTENSION = _(
    "Files ending in “.%(extension)s” cannot be uploaded. Upload a PDF, PowerPoint (.pptx), "
    "Word (.docx), Excel (.xlsx) or image (PNG, JPEG, GIF, WebP) file."
)
ERROR_EXECUTABLE = _(
    "This file is a program or script, not a %(label)s file, although its name ends in "
    "“.%(extension)s”. Programs cannot be uploaded."
)
ERROR_MISMATCH = _(
    "The content of this file is not a %(label)s file, although its name ends in "
    "“.%(extension)s”. Save it again as a real %(label)s file and upload that."
)


def file_kind_for_name(name: str) -> FileKind | None:
    """The allowed kind a stored or uploaded name's extension claims, if any."""
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    return KIND_BY_EXTENSION.get(extension)


def _read_head(file, size: int = 64) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head or b""


def _is_ooxml(file, kind: FileKind) -> bool:
    folder, main_type = OOXML_SIGNATURES[kind]
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                return False
            content_types = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, RuntimeError):
        return False
    finally:
        file.seek(0)
    has_folder = any(name.startswith(folder) for name in names)
    return has_folder and main_type + b".main+xml" in content_types


def content_matches(file, kind: FileKind) -> bool:
    """True when the bytes of `file` really are a file of `kind`."""
    if kind in OOXML_SIGNATURES:
        return _read_head(file, 4) == b"PK\x03\x04" and _is_ooxml(file, kind)
    head = _read_head(file)
    if kind is PDF:
        # The PDF header may follow a little junk; readers look in the first kilobyte.
        return b"%PDF-" in _read_head(file, 1024)
    if kind is PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind is JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if kind is GIF:
        return head[:6] in (b"GIF87a", b"GIF89a")
    if kind is WEBP:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return False


def validate_resource_file(value) -> None:
    """Refuse anything outside the allow-list: the name's extension must be allowed, the
    content must really be that kind of file, and the size must be within the limit."""
    if getattr(value, "_committed", False):
        # Already stored (checked when it was uploaded); editing other fields re-validates.
        return
    name = getattr(value, "name", "") or ""
    extension = PurePath(name).suffix.lower().lstrip(".")
    kind = KIND_BY_EXTENSION.get(extension)
    if kind is None:
        raise ValidationError(
            ERROR_EXTENSION, code="extension", params={"extension": extension or "?"}
        )
    size = value.size or 0
    limit = settings.LIBRARY_UPLOAD_MAX_BYTES
    if size > limit:
        raise ValidationError(
            ERROR_TOO_LARGE,
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    if size == 0:
        raise ValidationError(ERROR_EMPTY, code="empty")
    params = {"label": kind.label, "extension": extension}
    if _read_head(value, 4).startswith(EXECUTABLE_MAGIC):
        raise ValidationError(ERROR_EXECUTABLE, code="executable", params=params)
    if not content_matches(value, kind):
        raise ValidationError(ERROR_MISMATCH, code="mismatch", params=params)
