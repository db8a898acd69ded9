"""The design system's measurable promises, in a real browser: form control borders at least
3:1 against the page (WCAG 2.2 SC 1.4.11, which axe does not check), a visible focus
indicator, prose at a readable width, and a county map keyboard users can go through."""

import pytest
from django.urls import reverse

from echo.models import RequestState, Series
from tests.factories import make_request

from .conftest import DESKTOP
from .data import LEADERSHIP_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_BORDER_CONTRAST = 3.0
MAX_CHARACTERS_PER_LINE = 80

# Relative luminance and contrast (WCAG 2.2), and the colour a control's border is seen
# against: the first non-transparent background among its ancestors.
_COLOUR_JS = """
const parse = (c) => {
  const m = c.match(/[\\d.]+/g).map(Number);
  return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
};
const lum = ({r, g, b}) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const contrast = (x, y) => {
  const [a, b] = [lum(x), lum(y)].sort((p, q) => q - p);
  return (a + 0.05) / (b + 0.05);
};
const backdrop = (el) => {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const c = parse(getComputedStyle(p).backgroundColor);
    if (c.a > 0) return c;
  }
  return {r: 255, g: 255, b: 255, a: 1};
};
"""

BORDERS_JS = (
    "(selector) => {"
    + _COLOUR_JS
    + """
  const visible = [...document.querySelectorAll(selector)].filter((el) => el.offsetParent);
  return visible.map((el) => {
    const style = getComputedStyle(el);
    const sides = ["Top", "Right", "Bottom", "Left"].map((side) => ({
      width: parseFloat(style[`border${side}Width`]),
      ratio: contrast(parse(style[`border${side}Color`]), backdrop(el)),
    }));
    return {name: el.name || el.id, sides};
  });
}"""
)

# Characters per line of each visible paragraph: its width over the average width of its own
# characters in its own font.
LINE_LENGTH_JS = """
() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const paragraphs = [...document.querySelectorAll("main p, main li")].filter((el) =>
    el.offsetParent && el.textContent.trim().length > 120 && !el.closest("table, nav"));
  return paragraphs.map((el) => {
    const style = getComputedStyle(el);
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = el.textContent.replace(/\\s+/g, " ").trim();
    const average = canvas.measureText(text).width / text.length;
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const width = el.getBoundingClientRect().width - padding;
    return {text: text.slice(0, 60), characters: Math.round(width / average)};
  });
}
"""


def _request_form_path() -> str:
    return reverse("echo:request", kwargs={"slug": LEADERSHIP_SLUG})


def test_every_form_control_border_contrasts_at_least_3_to_1(page, demo_site):
    page.set_viewport_size(DESKTOP)
    page.goto(_request_form_path())
    control_types = {
        "text input": "input.form-control[type=text]",
        "email input": "input.form-control[type=email]",
        "textarea": "textarea.form-control",
        "select": "select.form-select",
        "radio": "input.form-check-input[type=radio]",
        "checkbox": "input.form-check-input[type=checkbox]",
    }
    failures = []
    for kind, selector in control_types.items():
        controls = page.evaluate(BORDERS_JS, selector)
        assert controls, f"the request form has no {kind} to check ({selector})"
        for control in controls:
            for side in control["sides"]:
                if side["width"] < 1 or side["ratio"] < MIN_BORDER_CONTRAST:
                    failures.append(f"{kind} {control['name']}: {side}")
    assert not failures, "Borders under 3:1:\n" + "\n".join(failures)


def test_focused_controls_show_a_thick_outline(page, demo_site):
    page.goto(_request_form_path())
    for selector in ("#id_full_name", "#id_sector", "#id_consent"):
        page.focus(selector)
        style = page.evaluate(
            "(s) => { const c = getComputedStyle(document.querySelector(s));"
            " return [c.outlineStyle, parseFloat(c.outlineWidth)]; }",
            selector,
        )
        assert style[0] != "none" and style[1] >= 2, (selector, style)


def test_prose_stays_under_80_characters_a_line(page, demo_site):
    series = Series.objects.get(slug=LEADERSHIP_SLUG)
    pending = make_request(series=series, state=RequestState.PENDING)
    prose_pages = [
        reverse("home"),
        reverse("what-is-deflection"),
        reverse("echo:privacy"),
        reverse("accessibility"),
        reverse("contact"),
        reverse("library:resource", kwargs={"slug": "civil-citation-model"}),
        reverse("echo:series", kwargs={"slug": LEADERSHIP_SLUG}),
        reverse("directory:home"),
        pending.get_status_url(),
    ]
    page.set_viewport_size({"width": 1600, "height": 900})
    failures, measured = [], 0
    for path in prose_pages:
        page.goto(path)
        for paragraph in page.evaluate(LINE_LENGTH_JS):
            measured += 1
            if paragraph["characters"] > MAX_CHARACTERS_PER_LINE:
                failures.append(f"{path}: {paragraph}")
    assert measured >= 5, "too few paragraphs measured to mean anything"
    assert not failures, "Lines over 80 characters:\n" + "\n".join(failures)


def test_keyboard_users_reach_every_county_on_the_map(page, demo_site):
    page.goto(reverse("directory:home"))
    page.locator(".county-map a").first.focus()
    reached = set()
    for _ in range(60):
        fips = page.evaluate("() => document.activeElement.getAttribute('data-fips')")
        if fips is None:
            break
        reached.add(fips)
        page.keyboard.press("Tab")
    assert len(reached) == 36
    link = page.locator('.county-map a[data-fips="41039"]')
    assert link.get_attribute("aria-label") == "Lane County: No program yet"
    link.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#lane-county")
    assert page.locator("#lane-county th").inner_text() == "Lane County"


def test_print_keeps_the_content_and_drops_the_navigation(page, demo_site):
    series = Series.objects.get(slug=LEADERSHIP_SLUG)
    pending = make_request(series=series, state=RequestState.PENDING)
    page.emulate_media(media="print")
    for path in (
        pending.get_status_url(),
        reverse("library:resource", kwargs={"slug": "civil-citation-model"}),
        reverse("echo:session", kwargs={"slug": "deflection-echo-2024", "number": 1}),
    ):
        page.goto(path)
        assert page.locator("h1").is_visible(), path
        assert not page.locator(".site-header .navbar-nav").is_visible(), path
        assert not page.locator(".site-footer nav").is_visible(), path
    page.goto(pending.get_status_url())
    assert page.locator(".request-answers").is_visible()
    assert page.locator(".reference").first.is_visible()
    assert not page.locator("form").first.is_visible()
