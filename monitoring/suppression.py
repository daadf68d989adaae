"""Small-cell suppression with complementary suppression, for every published count.

A count table is published with its margins: row totals, column totals and the grand total. Each
row and each column is an equation (the parts add up to the total), so hiding one small cell is not
enough: the reader subtracts. The rules, applied until nothing changes:

1. primary: every count with 0 < n < k is hidden, totals included;
2. complementary: an equation with exactly one hidden member hides its smallest other member
   (a non-zero part first; a zero tells the reader nothing it could not guess);
3. no combination of equations may pin a hidden count either (two suppressed blocks joined by one
   cell, for instance): the hidden counts are solved for exactly (modular elimination; the equations
   have coefficients 0 and +-1 and are totally unimodular, so the rank is the rational one), and
   each one found determined gets one more complement.

Tables that publish the same quantity (the type table and the type x area row totals, every grand
total) are linked by a key: a count hidden in one is hidden in all, iterated to a fixed point, so
one table cannot give back what another hid. Ties are broken by position, so the same counts always
give the same pattern, whatever the database.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

PRIME = (1 << 61) - 1  # a Mersenne prime: exact elimination with Python ints

Equation = tuple[tuple[int, ...], int]  # (parts, whole): entry indices


@dataclass
class CountTable:
    """A table of counts and its margins. One-dimensional tables have `columns` empty.

    `measure` and the dimension names make the link keys: the same (measure, {dim: label}) in two
    tables is taken to be the same published quantity.
    """

    measure: str
    row_dim: str
    rows: list[str]
    counts: list[list[int]]  # [row][column]; one-dimensional: [row][0]
    col_dim: str | None = None
    columns: list[str] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)  # entry indices, filled in by protect()

    # --- entries: cells row-major, then row totals, column totals, grand total -------------------
    @property
    def two_dimensional(self) -> bool:
        return self.col_dim is not None

    @property
    def width(self) -> int:
        return len(self.columns) if self.two_dimensional else 1

    def cell_index(self, row: int, column: int = 0) -> int:
        return row * self.width + column

    def row_total_index(self, row: int) -> int:
        if not self.two_dimensional:
            return self.cell_index(row)  # a 1-D table's cell is its row's total
        return len(self.rows) * self.width + row

    def column_total_index(self, column: int) -> int:
        if not self.two_dimensional:
            return self.total_index
        return len(self.rows) * self.width + len(self.rows) + column

    @property
    def total_index(self) -> int:
        if not self.two_dimensional:
            return len(self.rows)
        return len(self.rows) * self.width + len(self.rows) + len(self.columns)

    def values(self) -> list[int]:
        cells = [n for row in self.counts for n in row]
        if not self.two_dimensional:
            return cells + [sum(cells)]
        row_totals = [sum(row) for row in self.counts]
        column_totals = [sum(row[c] for row in self.counts) for c in range(self.width)]
        return cells + row_totals + column_totals + [sum(row_totals)]

    def equations(self) -> list[Equation]:
        rows, width = range(len(self.rows)), range(self.width)
        if not self.two_dimensional:
            return [(tuple(self.cell_index(r) for r in rows), self.total_index)]
        equations: list[Equation] = [
            (tuple(self.cell_index(r, c) for c in width), self.row_total_index(r)) for r in rows
        ]
        equations += [(tuple(self.cell_index(r, c) for r in rows), self.column_total_index(c)) for c in width]
        equations.append((tuple(self.row_total_index(r) for r in rows), self.total_index))
        equations.append((tuple(self.column_total_index(c) for c in width), self.total_index))
        return equations

    def link_keys(self) -> list[Hashable]:
        keys: list[Hashable] = []
        for row in self.rows:
            for c in range(self.width):
                labels = {self.row_dim: row}
                if self.two_dimensional:
                    assert self.col_dim is not None
                    labels[self.col_dim] = self.columns[c]
                keys.append((self.measure, frozenset(labels.items())))
        if self.two_dimensional:
            assert self.col_dim is not None
            keys += [(self.measure, frozenset({(self.row_dim, row)})) for row in self.rows]
            keys += [(self.measure, frozenset({(self.col_dim, column)})) for column in self.columns]
        keys.append((self.measure, frozenset()))
        return keys

    # --- reading the protected table ---------------------------------------------------------------
    def published(self, index: int) -> int | None:
        return None if index in self.hidden else self.values()[index]


def primary(values: Sequence[int], k: int) -> set[int]:
    return {i for i, n in enumerate(values) if 0 < n < k}


def suppress(values: Sequence[int], equations: Sequence[Equation], k: int, forced: Iterable[int] = ()) -> set[int]:
    """Indices to hide so that no hidden count below k (nor any other hidden count) can be worked out."""
    hidden = primary(values, k) | set(forced)
    while True:
        _complete_equations(values, equations, hidden)
        pinned = determined(hidden, equations)
        if not pinned:
            return hidden
        if not _add_complement(values, equations, hidden, min(pinned)):
            return hidden  # cannot happen (all hidden pins nothing), kept as a guard against looping


def _complete_equations(values: Sequence[int], equations: Sequence[Equation], hidden: set[int]) -> None:
    changed = True
    while changed:
        changed = False
        for parts, whole in equations:
            members = (*parts, whole)
            if sum(1 for i in members if i in hidden) == 1:
                for candidates, zeros in ((parts, False), ((whole,), True), (parts, True)):
                    choice = _smallest(values, candidates, hidden, zeros)
                    if choice is not None:
                        break
                if choice is not None:
                    hidden.add(choice)
                    changed = True


def _smallest(values: Sequence[int], candidates: Iterable[int], hidden: set[int], zeros: bool = False) -> int | None:
    open_ = [i for i in candidates if i not in hidden and (zeros or values[i] > 0)]
    return min(open_, key=lambda i: (values[i], i)) if open_ else None


def _add_complement(values: Sequence[int], equations: Sequence[Equation], hidden: set[int], pinned: int) -> bool:
    touching = [(parts, whole) for parts, whole in equations if pinned in parts or pinned == whole]
    for zeros in (False, True):
        candidates = [i for parts, whole in touching for i in (*parts, whole)]
        choice = _smallest(values, candidates, hidden, zeros)
        if choice is not None:
            hidden.add(choice)
            return True
    # Every member of its equations is hidden already: widen to any equation that has a hidden member.
    candidates = [i for parts, whole in equations if any(m in hidden for m in (*parts, whole)) for i in (*parts, whole)]
    for zeros in (False, True):
        choice = _smallest(values, candidates, hidden, zeros)
        if choice is not None:
            hidden.add(choice)
            return True
    return False


def determined(hidden: set[int], equations: Sequence[Equation]) -> set[int]:
    """Hidden entries whose value follows from the published ones through the equations.

    With the published values moved to the right-hand side, entry u is determined exactly when the
    unit vector e_u lies in the row space of the equations restricted to the hidden entries: in the
    reduced row echelon form, u is a pivot whose row has no other non-zero.
    """
    unknowns = sorted(hidden)
    column = {entry: c for c, entry in enumerate(unknowns)}
    matrix: list[list[int]] = []
    for parts, whole in equations:
        row = [0] * len(unknowns)
        for i in parts:
            if i in column:
                row[column[i]] = 1
        if whole in column:
            row[column[whole]] = PRIME - 1  # -1
        if any(row):
            matrix.append(row)
    pivots = _rref(matrix, len(unknowns))
    found = set()
    for row_index, pivot in pivots:
        if sum(1 for v in matrix[row_index] if v) == 1:
            found.add(unknowns[pivot])
    return found


def _rref(matrix: list[list[int]], width: int) -> list[tuple[int, int]]:
    """Reduce in place modulo PRIME; returns (row, pivot column) pairs."""
    pivots = []
    rank = 0
    for col in range(width):
        pivot_row = next((r for r in range(rank, len(matrix)) if matrix[r][col]), None)
        if pivot_row is None:
            continue
        matrix[rank], matrix[pivot_row] = matrix[pivot_row], matrix[rank]
        inverse = pow(matrix[rank][col], PRIME - 2, PRIME)
        matrix[rank] = [(v * inverse) % PRIME for v in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col]:
                factor = matrix[r][col]
                matrix[r] = [(a - factor * b) % PRIME for a, b in zip(matrix[r], matrix[rank])]
        pivots.append((rank, col))
        rank += 1
    return pivots


def protect(tables: Sequence[CountTable], k: int) -> None:
    """Suppress every table, linked by their keys, until no table adds a hidden quantity."""
    hidden_keys: set[Hashable] = set()
    cache = [(table.values(), table.equations(), table.link_keys()) for table in tables]
    while True:
        grew = False
        for table, (values, equations, keys) in zip(tables, cache):
            forced = [i for i, key in enumerate(keys) if key in hidden_keys]
            table.hidden = suppress(values, equations, k, forced)
            new = {keys[i] for i in table.hidden} - hidden_keys
            if new:
                hidden_keys |= new
                grew = True
        if not grew:
            return
