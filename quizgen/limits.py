"""Every limit on content, defined once: ``quizgen check`` refuses what lies outside them.

Each limit exists so that whatever ``check`` accepts, every command, page and export
handles in bounded time and memory. The README's Content section states them.
"""

from __future__ import annotations

# Years: every date computation (a month's last day, distractors a few years either side)
# steps at least a year past the date and stays inside Python's dates (years 1 to 9999).
MIN_YEAR, MAX_YEAR = 1, 9998

# Ids and tags: they become URL parts, Anki tags and file names.
MAX_ID_CHARS = 80
# One-line texts: titles, publishers, names, slots, options, stems, topics, deck names.
# The longest in the bundled content is a role of 174 characters.
MAX_LINE_CHARS = 300
# Passages: quotes, curator's notes, deck descriptions (longest bundled quote: 344 characters).
MAX_PASSAGE_CHARS = 2_000
MAX_URL_CHARS = 2_000
# Entries in any list of a fact or a deck: options, tags, deck files.
MAX_ITEMS = 100
# A quote has to carry its fact: one word or a full stop is not a citation.
MIN_QUOTE_WORDS = 3

# Quantities. History counts reach the billions (populations, budgets), never beyond a
# thousand trillion; every integer up to 10**15 is exact in a float (exact to 2**53 ≈ 9.0e15),
# so values print and compare exactly. Three decimals cover any measured figure a source gives
# (a percentage to 0.001, a length to the millimetre) and keep distractor steps integral.
MAX_QUANTITY = 10**15
MAX_DECIMALS = 3
# Constants of science (6.62607015e-34, 6.02214076e23) are written in scientific notation: at most
# this many significant digits, within 10^±SCIENTIFIC_EXPONENT (wrong options change the power of ten).
MAX_SIGNIFICANT = 10
SCIENTIFIC_EXPONENT = 99

# Bytes of one content file (a facts, source or deck .toml, or a stored text): a long book is
# about 2 MB of text; a file larger than this is a mistake, and reading it is bounded.
MAX_FILE_BYTES = 8 * 1024 * 1024

# Worksheets: questions printed in one request (count × variants), the same bound for the web
# form and its PDF, the CLI and every caller of quizgen.worksheet. About four questions fit a
# page with the marking grid and keys (34 × 12 = 408 printed 99 A4 pages in 12 s on one core),
# so this is about 120 pages and 15 s of one core at most.
MAX_SHEET_QUESTIONS = 500

# Requests one client (an IP address, or X-Forwarded-For behind `serve --trusted-proxy`) may
# make, in the `limits` package's notation. A class behind one school address submits about
# thirty attempts within a minute; one address sent 10,000 in 17 s before these existed.
CREATE_ASSIGNMENT_RATE = "10 per minute;100 per hour"
SUBMIT_ATTEMPT_RATE = "120 per minute;2000 per hour"

# Characters a one-line text (title, name, option, …) may not hold, as a regex class body: they
# render as nothing, so "Test\u200bburg" and "Testburg" would be two options that look the same,
# and a bidi control reorders what follows it. Soft hyphen, combining grapheme joiner, Arabic
# letter mark, Hangul fillers, Khmer inherent vowels, Mongolian selectors, zero-width space and
# joiners, left-to-right/right-to-left marks, bidi embeddings, overrides and isolates, word
# joiner and invisible operators, byte order mark, interlinear annotations, and the tag
# characters. Zero-width joiners go too (a Persian name's ZWNJ, an emoji family): no bundled
# text needs one. Variation selectors stay (7️⃣ is 7, U+FE0F, U+20E3) but are combining marks,
# so models.LINE_PATTERN refuses one with no letter before it, and options are compared
# without them (quizgen.validation.fold).
INVISIBLE = (
    r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f"
)

# The Anki ledger (content/anki-ledger.tsv): a note's time is Unix seconds from FLOOR (2026) up to
# the last second of year 9999; Anki keeps note ids as milliseconds in 64 bits, and quizgen counts
# ids up from the newest time, so a time like 10**17 would overflow them.
MAX_LEDGER_TIME = 253_402_300_799
