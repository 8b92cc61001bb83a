"""Exceptions raised by the package; each subclasses the builtin it refines."""

from __future__ import annotations


class GeoError(Exception):
    """Base class for every error this package raises on purpose."""


class GazetteerError(GeoError, LookupError):
    """The bundled gazetteer is missing, damaged or cannot answer a query."""


class InputError(GeoError, ValueError):
    """An input file, article or argument cannot be used as given."""


class OutputError(GeoError, OSError):
    """An output could not be written."""
