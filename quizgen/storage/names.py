"""Students' names compared as a reader sees them: ``Аda`` (Cyrillic А) and ``Ａｄａ`` (full width)
are the same student as ``Ada``; the report flags names that were written in look-alike letters.

NFKC folds compatibility forms (full-width letters, ligatures, superscripts); the table below
folds the Cyrillic and Greek letters that print exactly like Latin ones (Unicode's confusables
list for those scripts, letters only). Case is folded last.
"""

from __future__ import annotations

import unicodedata

# Cyrillic and Greek letters that look like a Latin letter in common fonts.
_LOOKALIKES = {
    # Cyrillic capitals and small letters
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y", "Һ": "h",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j",
    "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ү": "y", "ӏ": "l", "Ӏ": "I",
    # Greek capitals and small letters
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "υ": "u",
}
_TABLE = str.maketrans(_LOOKALIKES)


def fold_name(name: str) -> str:
    """The key two names are compared by: NFKC, look-alike letters as Latin, spaces collapsed, no case."""
    text = unicodedata.normalize("NFKC", name).translate(_TABLE)
    return " ".join(text.split()).casefold()


def looks_disguised(name: str) -> bool:
    """True if ``name`` reads as Latin letters but is not written with them (compatibility forms or
    Cyrillic/Greek look-alikes mixed in): worth a look from the teacher."""
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:
        return True
    has_latin = any("LATIN" in unicodedata.name(ch, "") for ch in normal if ch.isalpha())
    return has_latin and any(ch in _LOOKALIKES for ch in normal)  # a Russian name alone is just Russian
