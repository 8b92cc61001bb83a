"""Offline geoparser and map builder for conflict-event news.

Data flows one way::

    articles -> mentions -> places -> figures/events -> reconciled events, zones
             -> layers -> maps / exports
"""

from __future__ import annotations

__version__ = "0.1.0"
