"""Moving through pages with the keyboard alone, checking at every key that the
focus can be seen (WCAG 2.4.7 Focus Visible, 2.4.11 Focus Not Obscured).

Each key press is followed by a look at the focused element: it must be on
screen, not hidden or covered, and show a focus indicator. GOV.UK Frontend draws
every indicator in its focus yellow (#ffdd00) as an outline, a box shadow, a
background or a border, on the element itself or, for its radios and
checkboxes (whose real inputs are transparent), on the label's drawn circle or
box. A solid outline of another colour, at least 2px wide, counts too; the
browser's own thin ring does not, so a control that loses GOV.UK's style fails.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.builders import PASSWORD

FOCUS_YELLOW = "rgb(255, 221, 0)"

FOCUSED = """(yellow) => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) {
    return {problem: "nothing on the page has focus"};
  }
  const label = e.labels && e.labels.length ? e.labels[0] : null;
  const describe = {
    tag: e.tagName, type: e.type || "", name: e.name || "", value: e.value || "", id: e.id,
    text: (e.innerText || e.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 80),
    label: label ? label.innerText.trim().replace(/\\s+/g, " ") : "",
    checked: !!e.checked,
    option: e.tagName === "SELECT" && e.selectedIndex >= 0 ? e.options[e.selectedIndex].text : "",
  };
  // GOV.UK radios and checkboxes are transparent; their label is what is seen.
  const transparent = getComputedStyle(e).opacity === "0";
  const seen = transparent && label ? label : e;
  if (!seen.checkVisibility({opacityProperty: true, visibilityProperty: true})) {
    return {...describe, problem: "focus is on something hidden"};
  }
  const box = seen.getClientRects()[0];
  if (!box || box.width < 4 || box.height < 4) {
    return {...describe, problem: "focus is on something too small to see"};
  }
  if (box.bottom <= 0 || box.top >= innerHeight || box.right <= 0 || box.left >= innerWidth) {
    return {...describe, problem: "focus is off the screen"};
  }
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  if (!hit || !(seen.contains(hit) || e.contains(hit) || hit === e || hit.contains(seen))) {
    return {...describe, problem: `focus is covered by <${hit && hit.tagName.toLowerCase()}>`};
  }
  const drawn = (style) => {
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    if (outline && style.outlineColor === yellow) return true;
    if (outline && style.outlineStyle !== "auto" && parseFloat(style.outlineWidth) >= 2 &&
        !style.outlineColor.endsWith(", 0)") && style.outlineColor !== "transparent") return true;
    return style.boxShadow.includes(yellow) || style.backgroundColor === yellow ||
      style.borderTopColor === yellow || style.borderBottomColor === yellow;
  };
  const candidates = [e, seen, ...e.querySelectorAll("*")];
  for (const c of candidates) {
    if (drawn(getComputedStyle(c)) || drawn(getComputedStyle(c, "::before")) ||
        drawn(getComputedStyle(c, "::after"))) {
      return {...describe, problem: null};
    }
  }
  return {...describe, problem: "focus shows no focus indicator"};
}"""


def focused(page) -> dict:
    """What has focus, and what (if anything) stops a sighted keyboard user seeing it."""
    return page.evaluate(FOCUSED, FOCUS_YELLOW)


def press(page, key: str) -> dict:
    """Press a key that keeps to the page, and check the focus can still be seen."""
    page.keyboard.press(key)
    now = focused(page)
    assert now["problem"] is None, f"after {key} on {page.url}: {now['problem']} ({now})"
    return now


def tab_to(page, wanted: Callable[[dict], bool], *, back: bool = False, limit: int = 200) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is the one wanted."""
    for _ in range(limit):
        now = press(page, "Shift+Tab" if back else "Tab")
        if wanted(now):
            return now
    raise AssertionError(f"never reached the element with the keyboard on {page.url}")


def arrow_to(page, wanted: Callable[[dict], bool], key: str = "ArrowDown", limit: int = 20):
    """Move through a radio group or a select with an arrow key until the choice wanted."""
    now = focused(page)
    for _ in range(limit):
        if wanted(now):
            return now
        now = press(page, key)
    raise AssertionError(f"never reached the choice with {key} on {page.url}")


def button(text: str) -> Callable[[dict], bool]:
    return lambda f: f["tag"] == "BUTTON" and f["text"] == text


def labelled(text: str) -> Callable[[dict], bool]:
    return lambda f: f["label"].startswith(text)


def submit(page, key: str = "Enter") -> None:
    """Press a key that sends a form, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def sign_in_by_keyboard(page, email: str) -> None:
    page.goto("/accounts/login/")
    tab_to(page, labelled("Email address"))
    page.keyboard.type(email)
    tab_to(page, labelled("Password"))
    page.keyboard.type(PASSWORD)
    submit(page)
