"""Settings of every warehouse the benchmarks build: DuckLake in a given folder, no demo data.

The product's own limits apply (a file above ``OUTCOMES_MAX_UPLOAD_MB``, 1 GB by default, is
refused; the 10-million-row file is about 720 MB).
"""

from __future__ import annotations

from pathlib import Path


def warehouse_settings(data_dir: Path):
    """Returns settings for the DuckLake warehouse in ``data_dir``."""
    from warehouse.settings import Settings

    return Settings(data_dir=data_dir, warehouse="", demo_on_first_start=False, write_retries=30)
