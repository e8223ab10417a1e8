"""The native indicator-values template's columns: the loader's own list, not a copy."""

from pipelines.validate import OBSERVATION_COLUMNS, OBSERVATION_NUMBERS

COLUMNS = list(OBSERVATION_COLUMNS)
NUMBERS = list(OBSERVATION_NUMBERS)
