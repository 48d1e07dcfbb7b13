"""The Markdown pipe table the CLI, the docs and bench/ print, and the interval cell format."""

from __future__ import annotations

from collections.abc import Sequence

from moodtune.evaluate.bootstrap import Interval

EMPTY_CELL = "—"  # a cell with no value (a baseline's interval), never "None"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render a Markdown pipe table with padded columns (numbers right-aligned)."""
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    numeric = [
        bool(rows) and all(_looks_numeric(row[i]) for row in rows) for i in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if num else "-" * (w + 2)
            for w, num in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _looks_numeric(cell: str) -> bool:
    head = cell.split(" ")[0].lstrip("+-").replace(".", "", 1).replace(",", "")
    return head.isdigit() or cell in (EMPTY_CELL, "")


def format_interval(interval: Interval, digits: int = 3) -> str:
    return f"{interval.mean:.{digits}f} [{interval.low:.{digits}f}, {interval.high:.{digits}f}]"
