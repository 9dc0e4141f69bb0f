"""Text made safe for HTML, with the few typographic fixes every output needs."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_KEYCAP = re.compile("([0-9#*])\ufe0f?\u20e3")


def keycaps(text: str) -> Markup:
    """Escape ``text``, drawing keycap emoji such as 7️⃣ as a boxed digit (class ``keycap``).

    Quotes are verbatim and some official posts write numbers as keycaps; where no font has
    U+20E3 they show as "7▯", so the digit is kept and the box is drawn by CSS.
    """
    return Markup(_KEYCAP.sub(r'<span class="keycap">\1</span>', str(escape(text))))
