"""Exports of a library to other programs' formats (Anki packages)."""
