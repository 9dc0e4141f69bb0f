"""The export formats by name: what the CLI's ``--format`` and the web's download buttons offer.

Light to import: each format's module (and its writer library) loads only when used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..content import Library
from ..quiz import Quiz
from .rendered import Progress, Rendered


@dataclass(frozen=True)
class ExportFormat:
    name: str  # as typed: --format moodle-xml
    label: str  # as shown on a button
    platform: str
    suffix: str  # the file name's ending
    mimetype: str
    module: str  # quizgen.export.<module>
    function: str = "render"
    import_hint: str = ""  # where to click in the platform to import the file

    def filename(self, code: str) -> str:
        return f"{code}-{self.name}{self.suffix}"

    def render(self, quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
        module = importlib.import_module(f"{__package__}.{self.module}")
        return getattr(module, self.function)(quiz, library, progress)


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("moodle-xml", "Moodle XML", "Moodle", ".xml", "application/xml", "moodle",
                 import_hint="Course › More › Question bank › Import › Moodle XML format"),
    ExportFormat("gift", "Moodle GIFT", "Moodle", ".txt", "text/plain", "gift",
                 import_hint="Course › More › Question bank › Import › GIFT format"),
    ExportFormat("canvas-qti", "Canvas QTI (.zip)", "Canvas", ".zip", "application/zip", "qti",
                 import_hint="Course › Settings › Import Course Content › QTI .zip file"),
    ExportFormat("blackboard", "Blackboard (tab-delimited)", "Blackboard", ".txt", "text/plain", "blackboard",
                 import_hint="Test › Upload Questions (Original); Question bank › Upload from file (Ultra)"),
    ExportFormat("quizizz", "Quizizz spreadsheet", "Quizizz", ".xlsx", _XLSX, "spreadsheets",
                 "render_quizizz", import_hint="Create › Quiz › Import from spreadsheet"),
    ExportFormat("kahoot", "Kahoot! spreadsheet", "Kahoot", ".xlsx", _XLSX, "spreadsheets",
                 "render_kahoot", import_hint="Create › Kahoot › Add question › Import spreadsheet"),
)}

