"""What lint reports: one finding per problem, located by file and JSON pointer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crr_contract import pointer as json_pointer


@dataclass(frozen=True, order=True)
class Finding:
    path: Path
    pointer: str
    rule_id: str
    message: str

    def line(self, root: Path | None = None) -> str:
        """One line, ``file[#pointer]: RULE message``, with paths relative to ``root``."""
        shown = self.path
        if root is not None:
            try:
                shown = self.path.relative_to(root)
            except ValueError:
                shown = self.path
        where = f"{shown}#{self.pointer}" if self.pointer else str(shown)
        return f"{where}: {self.rule_id} {self.message}"


@dataclass
class LintReport:
    root: Path
    files_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


def pointer(*parts: object) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return json_pointer.join(parts)
