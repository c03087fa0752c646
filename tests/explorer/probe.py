"""The explorer's test probe (probe.js beside this file), given to a browser context by the
tests and bench/explorer.py: the page ships no probe, so the tests bring their own.

The context serves probe.js at an address of the site's own origin (so the page's
Content-Security-Policy, script-src 'self', lets it load) and imports it on every page that
runs the explorer, once the page's modules have run (DOMContentLoaded comes after them).
"""

from __future__ import annotations

from pathlib import Path

PROBE_JS = Path(__file__).with_name("probe.js")
PROBE_PATH = "/__tests__/explorer-probe.js"


def _loader(path: str) -> str:
    return f"""
addEventListener("DOMContentLoaded", () => {{
  if (document.querySelector('script[type="module"][src*="/js/explorer/main."]')) {{
    import("{path}");
  }}
}});
"""


def install_probe(context, *, served_at: str | None = None) -> None:
    """Give every page of ``context`` (a playwright BrowserContext) window.__explorer.

    served_at: where the site itself serves probe.js (bench/explorer.py puts it among the
    static files), else the context answers for it. Answering for an address turns off the
    browser's HTTP cache (playwright's routing), which a return visit must have."""
    if served_at is None:
        served_at = PROBE_PATH
        context.route(
            f"**{PROBE_PATH}",
            lambda route: route.fulfill(path=str(PROBE_JS), content_type="text/javascript"),
        )
    context.add_init_script(_loader(served_at))
