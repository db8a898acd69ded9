"""Upload validation: an allow-list checked by content, a size limit, safe stored names."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from library.models import Resource
from library.uploads import safe_upload_name, validate_resource_file
from tests.factories import make_collection

from . import files


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def error_of(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_resource_file(upload(name, content))
    return caught.value


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", files.PDF),
        ("Slides.PPTX", files.PPTX),
        ("handout.docx", files.DOCX),
        ("data.xlsx", files.XLSX),
        ("map.png", files.PNG),
        ("photo.jpg", files.JPEG),
        ("photo.jpeg", files.JPEG),
        ("chart.gif", files.GIF),
        ("chart.webp", files.WEBP),
    ],
)
def test_allowed_file_types_with_matching_content_pass(name, content):
    validate_resource_file(upload(name, content))


@pytest.mark.parametrize("content", [files.ELF, files.WINDOWS_EXE, files.SHELL_SCRIPT])
def test_renamed_executable_is_rejected_as_a_program(content):
    error = error_of("guide.pdf", content)
    assert error.code == "executable"
    assert "program or script" in error.messages[0]
    assert "“.pdf”" in error.messages[0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("guide.pdf", files.HTML),
        ("guide.pdf", files.PNG),
        ("slides.pptx", files.DOCX),
        ("handout.docx", files.XLSX),
        ("data.xlsx", files.PDF),
        ("map.png", files.JPEG),
        ("slides.pptx", files.PPTM),
        ("slides.pptx", files.ooxml("ppt/", content_types=False)),
        ("slides.pptx", b"PK\x03\x04 not really a zip file"),
    ],
)
def test_content_that_does_not_match_the_extension_is_rejected(name, content):
    error = error_of(name, content)
    assert error.code == "mismatch"
    assert "although its name ends in" in error.messages[0]


@pytest.mark.parametrize("name", ["tool.exe", "page.html", "logo.svg", "macro.pptm", "noext"])
def test_extensions_outside_the_allow_list_are_rejected(name):
    error = error_of(name, files.PDF)
    assert error.code == "extension"
    assert "cannot be uploaded" in error.messages[0]


def test_oversized_file_is_rejected_with_sizes_in_the_message(settings):
    settings.LIBRARY_UPLOAD_MAX_BYTES = 1024
    error = error_of("big.pdf", files.PDF + b"0" * 2048)
    assert error.code == "too_large"
    message = error.messages[0].replace("\xa0", " ")
    assert message == "This file is 2.1 KB; the largest file allowed is 1.0 KB."


def test_file_at_the_size_limit_is_accepted(settings):
    content = files.PDF + b"0" * 100
    settings.LIBRARY_UPLOAD_MAX_BYTES = len(content)
    validate_resource_file(upload("exact.pdf", content))


def test_default_size_limit_is_25_megabytes():
    from django.conf import settings

    assert settings.LIBRARY_UPLOAD_MAX_BYTES == 25 * 1024 * 1024


def test_empty_file_is_rejected():
    assert error_of("empty.pdf", b"").code == "empty"


@pytest.mark.django_db
def test_model_validation_reports_the_upload_error_on_the_file_field():
    resource = Resource(
        title="Guide",
        slug="guide",
        summary="A guide.",
        collection=make_collection(),
        file=upload("guide.pdf", files.WINDOWS_EXE),
    )
    with pytest.raises(ValidationError) as caught:
        resource.full_clean()
    assert "program or script" in caught.value.message_dict["file"][0]


@pytest.mark.django_db
def test_stored_file_is_not_revalidated_when_other_fields_change():
    resource = Resource(
        title="Guide", slug="guide", summary="A guide.", collection=make_collection()
    )
    resource.file.save("guide.pdf", ContentFile(files.PDF), save=False)
    resource.save()
    resource.file.storage.delete(resource.file.name)  # even a vanished file must not break edits
    resource.title = "Guide, revised"
    resource.full_clean()


def test_safe_upload_name_never_keeps_folders_or_unsafe_characters():
    name = safe_upload_name("../../etc/<script>Evil Name!.PDF")
    assert re.fullmatch(r"resources/\d{4}/\d{2}/scriptevil-name-[0-9a-f]{12}\.pdf", name)
    assert safe_upload_name("a.pdf") != safe_upload_name("a.pdf")
    assert ".." not in safe_upload_name("..\\..\\windows.docx")
