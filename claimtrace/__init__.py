"""claimtrace: sourced statements from news articles.

``claimtrace.load(...)`` returns a pipeline with ``extract`` and ``pipe`` (see
`claimtrace.api`); the heavy imports (spaCy, torch) happen only when it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "load"]

if TYPE_CHECKING:
    from claimtrace.api import Pipeline


def load(**options: Any) -> Pipeline:
    """A ready pipeline; keyword options match ``claimtrace run`` (``attribution=``,
    ``claims=``, ``kinds=``, ...). See `claimtrace.api.load`."""
    from claimtrace.api import load as load_pipeline

    return load_pipeline(**options)
