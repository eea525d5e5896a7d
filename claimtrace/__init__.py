"""claimtrace: sourced statements from news articles."""
__version__ = "0.1.0"
