"""Tests of the explorers (coursekit.explore), one file per view module."""
