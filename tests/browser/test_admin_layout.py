"""The request list fits a 1280 px screen with the admin's sidebar open: no column is cut off
and the page does not scroll sideways."""

import pytest
from playwright.sync_api import expect

from .test_review_journey import log_in, make_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_request_list_fits_1280_px_with_the_sidebar_open(
    page, console_errors, demo_site, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, make_reviewer())
    page.goto("/admin/echo/registrationrequest/")
    sidebar = page.locator("#nav-sidebar")
    if sidebar.count() and not sidebar.is_visible():
        page.locator("#toggle-nav-sidebar").click()
    expect(page.locator("#nav-sidebar")).to_be_visible()
    expect(page.locator("#result_list")).to_be_visible()
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth,"
        " view: document.documentElement.clientWidth,"
        " table: document.querySelector('#result_list').getBoundingClientRect().right,"
        " box: document.querySelector('#changelist .results').clientWidth,"
        " scroll: document.querySelector('#changelist .results').scrollWidth})"
    )
    screenshot(page, "request-list-1280")
    assert widths["page"] <= widths["view"], widths
    assert widths["scroll"] <= widths["box"], widths
    for heading in ["State", "Submitted", "Age (days)", "Scores"]:
        cell = page.locator("#result_list thead th", has_text=heading).first
        right = cell.evaluate("e => e.getBoundingClientRect().right")
        assert right <= widths["view"], (heading, right, widths)
    # The admin's own pages name no icon, so the browser asks for /favicon.ico.
    console_errors[:] = [error for error in console_errors if "/favicon.ico" not in error]
