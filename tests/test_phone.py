"""Every page of the book on a phone: a 375-pixel-wide touch screen in headless
Chromium. The page body never scrolls sideways, wide tables scroll inside their
own box, and every widget can be seen and operated, in every one of its views.

The checks run in tests/test_every_page.py, on the one load of each page per screen that all
the per-page browser checks share; here, a test that the layout check can fail.
"""

from __future__ import annotations

from browser import SCREENS, WIDGET_CHOICES, on_screen, open_page
from conftest import published_languages

#: the phone's width in CSS pixels
PHONE_WIDTH = SCREENS["phone"]["viewport"]["width"]

# Body overflow, and every visible table or widget sticking out of the screen that
# is not inside a box that scrolls sideways by itself (and fits the screen).
# (The width is passed in: on a phone, Chromium widens window.innerWidth to fit
# content that overflows, so the page cannot be asked how wide the screen is.)
LAYOUT = """(width) => {
  const problems = [];
  const scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth > width) problems.push(`the page scrolls sideways: ${scrollWidth}px wide on a ${width}px screen`);
  const scroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (overflow === "auto" || overflow === "scroll") return p;
    }
    return null;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "");
  for (const el of document.querySelectorAll("article table, article .jupyter-widgets")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    const own = scroller(el);
    if (!own) { problems.push(`${describe(el)} is ${Math.round(box.width)}px wide and does not scroll in a box of its own`); continue; }
    const ownBox = own.getBoundingClientRect();
    if (ownBox.right > width + 0.5) problems.push(`${describe(el)} scrolls in ${describe(own)}, which is itself wider than the screen`);
    // a box that scrolls must be reachable by keyboard (WCAG 2.1.1; axe scrollable-region-focusable)
    const reachable = own.tabIndex >= 0 || own.querySelector("a[href], button, input, select, textarea, [tabindex]");
    if (own.scrollWidth > own.clientWidth && !reachable)
      problems.push(`${describe(el)} scrolls in ${describe(own)}, which a keyboard cannot reach`);
  }
  // chart text stays legible: 12px or more as drawn (font size times the chart's scale),
  // and within its chart (a label longer than the chart is cut off)
  for (const text of document.querySelectorAll("article svg text")) {
    const box = text.getBoundingClientRect();
    if (box.width === 0 || !text.checkVisibility()) continue;
    const drawn = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
    if (drawn < 12) problems.push(`chart text ${JSON.stringify(text.textContent)} is drawn ${drawn.toFixed(1)}px tall`);
    const chart = text.ownerSVGElement.getBoundingClientRect();
    if (box.left < chart.left - 0.5 || box.right > chart.right + 0.5)
      problems.push(`chart text ${JSON.stringify(text.textContent)} runs out of its chart ` +
                    `(${Math.round(box.left)}..${Math.round(box.right)}px in ${Math.round(chart.left)}..${Math.round(chart.right)}px)`);
  }
  // and no two labels of a chart run into each other (the timeline's years once did: "19701980")
  for (const chart of document.querySelectorAll("article svg")) {
    const boxes = [...chart.querySelectorAll("text")].filter((t) => t.checkVisibility() && t.textContent.trim())
      .map((t) => [t.textContent.trim(), t.getBoundingClientRect()]).filter(([, b]) => b.width > 0);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        // overlapping by more than a pixel each way (glyph boxes include a little side bearing)
        if (Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1)
          problems.push(`chart labels ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`);
      }
  }
  return problems;
}"""


# Every widget control (browser.WIDGET_CONTROL) is enabled, lies within the screen's width and
# is what a tap on its centre reaches (nothing drawn over it), once scrolled into view.
REACHABLE = """([width, prompt, selector]) => {
  const controls = Array.from(document.querySelectorAll(selector));
  const problems = [];
  controls.forEach((el, i) => {
    const name = `${el.tagName.toLowerCase()} ${i} (${(el.labels && el.labels[0] ? el.labels[0].innerText : el.outerHTML).slice(0, 60)})`;
    if (el.disabled) problems.push(`${name} is disabled`);
    el.scrollIntoView({block: "center", inline: "nearest"});
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !el.checkVisibility({visibilityProperty: true}))
      return problems.push(`${name} is not visible`);
    if (box.left < 0 || box.right > width + 0.5)
      problems.push(`${name} is not all on screen: ${Math.round(box.left)}..${Math.round(box.right)}px`);
    if (el.type === "radio" && (box.width < 24 || box.height < 24))
      problems.push(`${name} is ${box.width.toFixed(1)}x${box.height.toFixed(1)}px, under the 24px target of WCAG 2.2`);
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!(hit && (hit === el || el.contains(hit))))
      problems.push(`${name}: a tap on it lands on ${hit ? hit.outerHTML.slice(0, 80) : "nothing"}`);
  });
  // quick-check feedback is announced: each feedback stack is a polite live region, and
  // each quick-check dropdown starts on its "Choose…" prompt (in the page's language), not blank
  for (const region of document.querySelectorAll(".track2-feedback-region")) {
    if (region.getAttribute("aria-live") !== "polite" || region.getAttribute("role") !== "status")
      problems.push(`feedback region is not a live region: ${region.outerHTML.slice(0, 80)}`);
  }
  for (const select of document.querySelectorAll(".track2-quick-check select")) {
    if (select.selectedIndex !== 0 || select.options[0].text !== prompt)
      problems.push(`quick-check dropdown starts on ${JSON.stringify(select.value)}, not ${JSON.stringify(prompt)}`);
  }
  return {count: controls.length, problems};
}"""


# Make every choice of every widget control that offers several (browser.WIDGET_CHOICES: a
# <select>'s options, radio buttons, toggle buttons) in turn, as a reader would, and check the
# layout after each view has been drawn (the widget manager redraws after a promise chain, hence
# the wait for the next tasks). A control whose choices never change what its output shows is
# listed as unchanged.
EVERY_VIEW = WIDGET_CHOICES + """async ([layout, width]) => {
  const check = () => eval(layout)(width);
  const settle = () => new Promise((r) => setTimeout(() => setTimeout(r, 0), 0));
  const problems = [];
  const unchanged = [];
  for (const [i, group] of widgetChoices().entries()) {
    const seen = new Set([group.area.innerText]);
    for (const [n, label] of group.labels.entries()) {
      group.choose(n);
      await settle();
      seen.add(group.area.innerText);
      problems.push(...check().map((p) => `${group.kind} ${i}, ${JSON.stringify(label)} chosen: ${p}`));
    }
    if (group.labels.length > 1 && seen.size < 2) unchanged.push(`${group.kind} ${i}`);
  }
  return {problems, unchanged};
}"""


def dropdown_prompt(document: str) -> str:
    """The quick checks' "Choose…" in the language of ``document`` (``zh_CN/...``: Chinese)."""
    from track2.i18n import translation
    from track2.quiz import PROMPT

    language = document.split("/")[0]
    return translation(language).gettext(PROMPT) if language in published_languages() else PROMPT


def test_the_layout_check_sees_chart_labels_that_overlap(chromium, site):
    """The check can fail: two year labels drawn into each other are reported."""
    context, page, _ = on_screen(chromium, site, "phone")
    try:
        open_page(page, site.base + "book/intro.html")
        page.evaluate("""() => document.querySelector("article").insertAdjacentHTML("beforeend",
          '<svg viewBox="0 0 200 40" width="200"><text x="10" y="20" font-size="13">1970</text>' +
          '<text x="30" y="20" font-size="13">1980</text></svg>')""")
        assert page.evaluate(LAYOUT, PHONE_WIDTH) == ['chart labels "1970" and "1980" overlap']
    finally:
        context.close()
