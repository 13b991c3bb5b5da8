"""Bundled sample feeds for ``tui-reader --demo``: package data, read without any network."""
