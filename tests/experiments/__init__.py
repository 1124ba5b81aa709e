"""Tests of coursekit.experiments, one file per module."""
