"""panel-tui: inter-agency dispute resolution in integrated care, in a terminal."""

__version__ = "0.1.0"
