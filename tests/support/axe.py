"""Accessibility checks with axe-core (npm `axe-core`, from node_modules).

The script is evaluated in the page through the browser's DevTools protocol,
not added as a <script>: the page's Content-Security-Policy (rightly) refuses
inline scripts, and the check must run against the page as people get it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA: what the regulation on universal design of ICT asks of public-sector web solutions.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _source() -> str:
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing: run scripts/setup (it runs npm ci)")
    return AXE.read_text()


def violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    found: list[dict[str, Any]] = result["violations"]
    return found


def assert_accessible(page: Page) -> None:
    """Zero axe-core violations of WCAG 2.1 A/AA on the page as it is now."""
    found = violations(page)
    assert not found, f"axe-core found {len(found)} WCAG 2.1 A/AA violation(s) on {page.url}:\n" + describe(found)


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
            lines.append(f"       {node['html'][:200]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)
