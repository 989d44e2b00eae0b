"""profilex: structured, source-linked records from city and county demand-reduction profiles."""
__version__ = "0.1.0"
