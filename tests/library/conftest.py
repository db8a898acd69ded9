"""Fixtures for the library tests."""

import pytest
from django.contrib.auth import get_user_model

from library import broad_search
from tests.helpers import login_staff


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files written by tests land in a throwaway folder, never in the checkout.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_client(client, db):
    """A logged-in staff member without superuser rights (enough to preview resources)."""
    user = get_user_model().objects.create_user(
        username="librarian", password="unused-password-1234", is_staff=True
    )
    login_staff(client, user)
    return client


@pytest.fixture
def small_sample(monkeypatch):
    """Broad searches (library/broad_search.py) at test size: every resource in the
    sample, broad from 5 matches, a window of 3."""
    monkeypatch.setattr(broad_search, "SAMPLE_EVERY", 1)
    monkeypatch.setattr(broad_search, "BROAD_FROM", 5)
    monkeypatch.setattr(broad_search, "WINDOW", 3)
    monkeypatch.setattr("library.search.WINDOW", 3)
