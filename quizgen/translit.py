"""Cyrillic to Latin letters, so faker's Russian names read like the names in the content.

English-language content spells Russian names in Latin letters (Ivan Konev); a
Cyrillic distractor would be the odd one out and give the answer away.
"""

from __future__ import annotations

import re

_TABLE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}


def to_latin(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in _TABLE:
            latin = _TABLE[low]
            out.append(latin.capitalize() if ch != low else latin)
        else:
            out.append(ch)
    # "Georgiy" reads as the familiar "Georgy", "Dmitriy" as "Dmitry".
    return re.sub(r"iy\b", "y", "".join(out))
