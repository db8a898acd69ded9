"""Accessibility and reflow checks run in the page: axe-core, horizontal scroll, overflow."""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE = Axe()

# Visible elements that reach past the viewport's right or left edge: cut off, or making the
# page scroll sideways. A wide table in .table-responsive may scroll (WCAG 1.4.10 allows it).
_OVERFLOWING_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  // Inside a scroll container, or inside a visually hidden box (clipped to 1 px, like the
  // off-screen field for bots): neither widens the page nor hides content people need.
  const exempt = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll") return true;
      const box = p.getBoundingClientRect();
      if ((o === "hidden" || o === "clip") && (box.width <= 1 || box.height <= 1)) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    if (r.right <= width + 1 && r.left >= -1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || exempt(el)) continue;
    const text = (el.innerText || "").trim().slice(0, 40);
    found.push(`${describe(el)} [${Math.round(r.left)}..${Math.round(r.right)}] "${text}"`);
  }
  return found.slice(0, 8);
}
"""


def axe_violations(page) -> list[dict]:
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return _AXE.run(page, options=options).response["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:4]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {node['target']}: {summary[:300]}")
        if len(violation["nodes"]) > 4:
            lines.append(f"    ... and {len(violation['nodes']) - 4} more")
    return "\n".join(lines)


def horizontal_overflow(page) -> list[str]:
    """What makes the page wider than the window: empty when nothing does."""
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    problems = page.evaluate(_OVERFLOWING_JS)
    if scroll_width > inner_width:
        problems.insert(0, f"page scrolls sideways: scrollWidth {scroll_width} > {inner_width}")
    return problems


def zoom_text(page, percent: int = 200) -> None:
    page.evaluate(f"() => {{ document.documentElement.style.fontSize = '{percent}%'; }}")
