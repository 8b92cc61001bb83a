"""Opt-in online geocoding with geopy's Nominatim (OpenStreetMap), off by default.

Nothing in the pipeline touches the network: every stage uses the bundled gazetteer. This
module is the one exception and only when asked. It refuses to run unless
:data:`geo.settings.online` is ``True`` (or ``online=True`` is passed), sends at most one
request per second through geopy's ``RateLimiter`` (Nominatim's usage policy) and
identifies itself with :data:`geo.settings.nominatim_user_agent`.

Examples
--------
>>> import geo.settings
>>> geo.settings.online
False
>>> geocode("Mykolaiv")
Traceback (most recent call last):
...
geo.online.OnlineDisabledError: online geocoding is off, so 'Mykolaiv' was not looked up ...
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from geo import settings
from geo._errors import GeoError
from geo.types import Place

logger = logging.getLogger(__name__)

__all__ = ["MIN_DELAY_SECONDS", "OnlineDisabledError", "OnlineGeocodingError", "geocode"]

MIN_DELAY_SECONDS = 1.0
"""Seconds between two requests to Nominatim (its usage policy allows one per second)."""

DEFAULT_TIMEOUT = 10.0


class OnlineDisabledError(GeoError, PermissionError):
    """The network was needed but online use is not enabled."""


class OnlineGeocodingError(GeoError, ConnectionError):
    """Nominatim could not be reached or answered with an error."""


@functools.lru_cache(maxsize=8)
def _throttled(user_agent: str, timeout: float) -> Callable[..., Any]:
    """One throttled ``Nominatim.geocode`` per user agent and timeout, shared by all calls."""
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    nominatim = Nominatim(user_agent=user_agent, timeout=timeout)
    return RateLimiter(
        nominatim.geocode,
        min_delay_seconds=MIN_DELAY_SECONDS,
        max_retries=0,
        swallow_exceptions=False,  # a failed request is an error, never a silent "not found"
    )


def _place(location: Any) -> Place:
    raw: dict[str, Any] = getattr(location, "raw", None) or {}
    address = raw.get("address") or {}
    code = address.get("country_code")
    osm = None
    if "osm_type" in raw and "osm_id" in raw:
        osm = f"osm:{raw['osm_type']}:{raw['osm_id']}"
    return Place(
        id=osm or f"osm:{float(location.latitude):.5f},{float(location.longitude):.5f}",
        name=str(raw.get("name") or str(location.address).split(",", 1)[0]),
        kind="settlement",
        lat=float(location.latitude),
        lon=float(location.longitude),
        country=code.upper() if isinstance(code, str) else None,
        admin1=address.get("state"),
        population=None,
        precision="exact",
    )


def geocode(
    query: str,
    *,
    country: str | None = None,
    online: bool | None = None,
    user_agent: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Place | None:
    """Look ``query`` up on Nominatim; return the best match as a :class:`~geo.types.Place`.

    Parameters
    ----------
    query
        A place name or address.
    country
        ISO 3166-1 alpha-2 code to restrict the search to, e.g. ``"UA"``.
    online
        Allow the request; ``None`` reads :data:`geo.settings.online` (``False`` by default).
    user_agent
        Sent to Nominatim; ``None`` reads :data:`geo.settings.nominatim_user_agent`.
    timeout
        Seconds to wait for one answer.

    Returns
    -------
    Place | None
        The match (id ``osm:TYPE:ID``, precision ``exact``), or ``None`` if Nominatim
        knows no such place.

    Raises
    ------
    OnlineDisabledError
        When online use is not enabled: nothing is sent.
    OnlineGeocodingError
        When Nominatim cannot be reached or answers with an error.
    """
    allowed = settings.online if online is None else online
    if not allowed:
        msg = (
            f"online geocoding is off, so {query!r} was not looked up on Nominatim: geo uses "
            "only its bundled gazetteer unless asked. Set geo.settings.online = True (or pass "
            "online=True) to allow one request per second to nominatim.openstreetmap.org"
        )
        raise OnlineDisabledError(msg)
    agent = settings.nominatim_user_agent if user_agent is None else user_agent
    lookup = _throttled(agent, timeout)
    kwargs: dict[str, Any] = {"exactly_one": True, "addressdetails": True}
    if country is not None:
        kwargs["country_codes"] = country.lower()
    from geopy.exc import GeopyError

    try:
        location = lookup(query, **kwargs)
    except GeopyError as exc:
        msg = f"Nominatim could not geocode {query!r}: {type(exc).__name__}: {exc}"
        raise OnlineGeocodingError(msg) from exc
    if location is None:
        logger.debug("Nominatim knows no place %r", query)
        return None
    return _place(location)
