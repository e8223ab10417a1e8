"""Schema of migration 0009_area_successions: which areas became part of which.

Areas of the April 2009 structure were reorganised in 2019, 2020, 2021 and 2023. Each area
row carries ``valid_from`` and ``valid_to``; ``area_successions`` says which areas became
part of which (one row per predecessor and successor; a county split in two has two rows).
A code that changed with no change of area (Northumberland 2013) stays in
``area_code_changes``, where the old code is another spelling of the same area.
"""

from __future__ import annotations

AREA_SUCCESSIONS = """
CREATE TABLE IF NOT EXISTS area_successions (
    predecessor_code VARCHAR, successor_code VARCHAR, changed_on DATE, note VARCHAR
);
"""
