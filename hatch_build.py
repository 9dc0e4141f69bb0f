"""Build hook: the bundled content goes into real wheels only, never into an editable install.

A wheel carries content/ and decks/ as quizgen/_bundled so `quizgen serve` works from any
folder. An editable install must not: a copy in site-packages would go stale the moment the
checkout's content changes, while the checkout's own quizgen reads content/ beside it.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLED = {"content": "quizgen/_bundled/content", "decks": "quizgen/_bundled/decks"}


class BundledContentHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"].update(BUNDLED)
