"""Browser tests: the dashboard in Debian's chromium, driven by Playwright (``pytest -m e2e``)."""

import pytest

# The journeys' checks live in a helper module: rewritten like a test module, a failed check
# shows the values it compared (the number shown against the number expected).
pytest.register_assert_rewrite("tests.e2e.journeys")
