"""Browser tests: the dashboard in Debian's chromium, driven by Playwright (``pytest -m e2e``)."""
