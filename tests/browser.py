"""Debian chromium driven by Playwright's Python client (no browser download needed)."""

import contextlib
import os
import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Each Content-Security-Policy violation of a page, as a console error the test collects.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
  ` at ${event.sourceFile}:${event.lineNumber}`));
"""


def _collect_csp_violations(page) -> list[str]:
    violations: list[str] = []

    def on_console(message):
        text = message.text
        if text.startswith("CSP violation") or "Content Security Policy" in text:
            violations.append(f"{page.url}: {text}")

    page.add_init_script(CSP_LISTENER)
    page.on("console", on_console)
    return violations


@contextlib.contextmanager
def chromium_page():
    """A fresh page in headless chromium; fails (never skips) when chromium is missing.
    The test also fails if any page it opened broke the Content-Security-Policy."""
    if not Path(CHROMIUM).exists():
        raise AssertionError(
            "Browser tests need Debian's chromium: run `apt-get install chromium` "
            "(.ci/run installs it)."
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so let Django allow them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page()
                page.set_default_timeout(20_000)
                # What the page broke of the Content-Security-Policy, for tests to read too.
                page.csp_violations = _collect_csp_violations(page)
                yield page
                assert not page.csp_violations, "Content-Security-Policy violations:\n" + "\n".join(
                    page.csp_violations
                )
            finally:
                browser.close()
                # ORM calls made inside Playwright's event-loop context got their own
                # connection (Django's connections are context-local); close it here, or the
                # test database cannot be dropped at the end of the run.
                connections.close_all()
    finally:
        # Never leak it into later tests (or the subprocesses they start).
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def admin_login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
