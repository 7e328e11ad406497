"""Text helpers every adapter needs: platforms cap a message's length."""

from __future__ import annotations


def split_lines(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` characters, cut at line ends wherever possible.

    A single line longer than the limit is cut inside; an empty text is one empty part.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current or not parts:
        parts.append(current)
    return parts
