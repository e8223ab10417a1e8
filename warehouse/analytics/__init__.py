"""The analytics query layer behind the minister and official pages."""
from warehouse.analytics.latest import assessed_latest
