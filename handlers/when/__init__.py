"""Dates and times as reps type them: the reader (``reader``) and its words (``lexicon``)."""

from __future__ import annotations

from handlers.when.reader import Calendar, Reading, find, without

__all__ = ["Calendar", "Reading", "find", "without"]
