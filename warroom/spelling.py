"""Near misses: how many slips apart two words are, and which known word a typo was meant to be."""

from __future__ import annotations

from typing import Iterable


def slips(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word `word` is one or two slips from (one for a word of up to five letters), ignoring case;
    None when none is that close. A tie goes to the first one listed."""
    typed = word.lower()
    if len(typed) > 64:  # no key or id is that long: not a typo of one
        return None
    best: tuple[int, str] | None = None
    for candidate in known:
        allowed = 1 if len(candidate) <= 5 else 2
        distance = slips(typed, candidate.lower())
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, candidate)
    return None if best is None else best[1]
