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

LOAD_PROBE = f"""
addEventListener("DOMContentLoaded", () => {{
  if (document.querySelector('script[type="module"][src*="/js/explorer/main."]')) {{
    import("{PROBE_PATH}");
  }}
}});
"""


def install_probe(context) -> None:
    """Give every page of ``context`` (a playwright BrowserContext) window.__explorer."""
    context.route(
        f"**{PROBE_PATH}",
        lambda route: route.fulfill(path=str(PROBE_JS), content_type="text/javascript"),
    )
    context.add_init_script(LOAD_PROBE)
