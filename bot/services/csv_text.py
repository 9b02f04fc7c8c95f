"""Every CSV carebot writes, made so a spreadsheet shows each cell as text, never runs it.

Answers and names are typed by children, parents and staff; a spreadsheet runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or carriage return followed by
one) as a formula, which can fetch a web address with the sheet's contents or start a program.
OWASP's guidance on CSV injection: put a single quote before such a cell, which spreadsheets
treat as "this is text" and do not show. The words themselves are kept whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value: object) -> object:
    """``value`` with a leading single quote if a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """A CSV file (header row first) with every cell made safe by ``as_text_cell``."""
    out = io.StringIO()
    # Lines end in CRLF (RFC 4180): the csv module then quotes any cell holding a carriage
    # return, which with a bare "\n" it leaves as it is, ending the row inside a child's
    # answer and starting a new one with whatever follows (a formula, say).
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: as_text_cell(value) for name, value in row.items()})
    return out.getvalue()
