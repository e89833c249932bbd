"""The version of poverty_core (one place, imported by the package and its modules)."""

__version__ = "0.1.0"
