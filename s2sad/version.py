"""The package version, recorded in every generated file and in the content hash."""

__version__ = "0.1.0"
