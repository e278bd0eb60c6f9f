"""warroom: a terminal war-room console for the incident commander."""

__version__ = "0.1.0"
