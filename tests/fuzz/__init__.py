"""Fuzz targets, each run for a bounded wall-clock time (see ``_budget``)."""
