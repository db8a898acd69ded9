"""Bytes of small but genuine files of each allowed kind, and of things to refuse."""

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 14
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56
SHELL_SCRIPT = b"#!/bin/sh\nrm -rf /\n"
HTML = b"<!doctype html><script>alert(1)</script>"

MAIN_TYPES = {
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PARTS = {"ppt/": "ppt/presentation.xml", "word/": "word/document.xml", "xl/": "xl/workbook.xml"}


def ooxml(folder: str, main_type: str | None = None, *, content_types: bool = True) -> bytes:
    """A minimal Office Open XML package: [Content_Types].xml plus the main part."""
    main_type = main_type or MAIN_TYPES[folder]
    part = PARTS[folder]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Override PartName="/'
                f'{part}" ContentType="{main_type}.main+xml"/></Types>',
            )
        archive.writestr(part, "<root/>")
    return buffer.getvalue()


PPTX = ooxml("ppt/")
DOCX = ooxml("word/")
XLSX = ooxml("xl/")
PPTM = ooxml("ppt/", "application/vnd.ms-powerpoint.presentation.macroEnabled")
