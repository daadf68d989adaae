"""Small-cell suppression: no published count below k, and no hidden count recoverable from the totals.

Random tables from fixed seeds (a plain-pytest stand-in for property-based testing); the attacker
here is written independently of monitoring/suppression.py: exact Gaussian elimination over the
rationals on the published table's row and column equations.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from monitoring.suppression import CountTable, protect, suppress

K = 5
SEEDS = range(60)


def random_counts(rng: random.Random, rows: int, columns: int) -> list[list[int]]:
    """Sparse, skewed counts like real incident tables: many zeros and small cells, a few large ones."""

    def draw() -> int:
        roll = rng.random()
        if roll < 0.3:
            return 0
        if roll < 0.65:
            return rng.randint(1, K - 1)
        return rng.randint(K, 60)

    return [[draw() for _ in range(columns)] for _ in range(rows)]


def published_grid(table: CountTable) -> tuple[list[int | None], list[tuple[tuple[int, ...], int]]]:
    return [table.published(i) for i in range(len(table.values()))], table.equations()


def recoverable(published: list[int | None], equations: list[tuple[tuple[int, ...], int]]) -> set[int]:
    """Hidden entries an attacker can solve for exactly from the published ones (rational elimination)."""
    hidden = [i for i, v in enumerate(published) if v is None]
    column = {entry: c for c, entry in enumerate(hidden)}
    rows = []
    for parts, whole in equations:
        row = [Fraction(0)] * (len(hidden) + 1)
        rhs = Fraction(0)
        for i in parts:
            if i in column:
                row[column[i]] += 1
            else:
                rhs -= published[i]  # type: ignore[operator]
        if whole in column:
            row[column[whole]] -= 1
        else:
            rhs += published[whole]  # type: ignore[operator]
        row[-1] = rhs
        if any(row[:-1]):
            rows.append(row)
    # Reduced row echelon form; a row with a single unknown left gives that unknown away.
    pivot_row = 0
    for col in range(len(hidden)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [v / lead for v in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row])]
        pivot_row += 1
    return {
        hidden[next(c for c, v in enumerate(row[:-1]) if v != 0)]
        for row in rows
        if sum(1 for v in row[:-1] if v != 0) == 1
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_two_way_tables_hide_small_cells_and_cannot_be_solved(seed: int) -> None:
    rng = random.Random(seed)
    table = CountTable(
        measure="reports",
        row_dim="type",
        rows=[f"t{i}" for i in range(rng.randint(1, 8))],
        counts=[],
        col_dim="area",
        columns=[],
    )
    table.columns = [f"a{j}" for j in range(rng.randint(1, 9))]
    table.counts = random_counts(rng, len(table.rows), len(table.columns))
    protect([table], K)
    published, equations = published_grid(table)
    assert all(v is None or v == 0 or v >= K for v in published), "a count below k is published"
    assert not recoverable(published, equations), "a hidden count follows from the published ones"
    # every published number is the true one
    assert all(v is None or v == true for v, true in zip(published, table.values()))


@pytest.mark.parametrize("seed", SEEDS)
def test_one_way_tables(seed: int) -> None:
    rng = random.Random(1000 + seed)
    rows = rng.randint(1, 12)
    table = CountTable(
        measure="reports",
        row_dim="area",
        rows=[f"a{i}" for i in range(rows)],
        counts=[[c] for c in random_counts(rng, 1, rows)[0]],
    )
    protect([table], K)
    published, equations = published_grid(table)
    assert all(v is None or v == 0 or v >= K for v in published)
    assert not recoverable(published, equations)


def test_the_attacker_does_find_an_unprotected_cell() -> None:
    """The check can fail: primary suppression alone leaves the small cell to subtraction."""
    values = [3, 20, 30, 53]  # three parts and their total
    equations = [((0, 1, 2), 3)]
    published: list[int | None] = [None, 20, 30, 53]
    assert recoverable(published, equations) == {0}
    hidden = suppress(values, equations, K)
    assert hidden == {0, 1}  # the smallest other part goes too


def test_two_blocks_joined_by_one_cell_get_an_extra_complement() -> None:
    """Every row and column has two or more hidden cells, yet the joining cell (1, 2) is pinned."""
    counts = [
        [2, 2, 9, 9],
        [2, 2, 2, 9],
        [9, 9, 2, 2],
        [9, 9, 2, 2],
    ]
    table = CountTable(measure="m", row_dim="r", rows=list("abcd"), counts=counts, col_dim="c", columns=list("wxyz"))
    small = {table.cell_index(r, c) for r in range(4) for c in range(4) if counts[r][c] < K}
    naive = [None if i in small else v for i, v in enumerate(table.values())]
    assert recoverable(naive, table.equations()) == {table.cell_index(1, 2)}  # rules 1 and 2 are not enough
    protect([table], K)
    published, equations = published_grid(table)
    assert not recoverable(published, equations)


def test_linked_tables_hide_the_same_quantities() -> None:
    """The type table and the type x area row totals publish the same counts: hidden in one, hidden in both."""
    rng = random.Random(7)
    for _ in range(30):
        types, areas = [f"t{i}" for i in range(5)], [f"a{j}" for j in range(4)]
        counts = random_counts(rng, len(types), len(areas))
        cross = CountTable("reports", "type", types, counts, "area", areas)
        one_way = CountTable("reports", "type", types, [[sum(row)] for row in counts])
        protect([one_way, cross], K)
        for r in range(len(types)):
            assert (one_way.published(one_way.cell_index(r)) is None) == (
                cross.published(cross.row_total_index(r)) is None
            )
        assert (one_way.published(one_way.total_index) is None) == (cross.published(cross.total_index) is None)
        for table in (one_way, cross):
            published, equations = published_grid(table)
            assert not recoverable(published, equations)


def test_same_counts_same_pattern() -> None:
    counts = random_counts(random.Random(3), 7, 24)
    patterns = set()
    for _ in range(3):
        table = CountTable(
            "reports",
            "weekday",
            [str(i) for i in range(7)],
            [row[:] for row in counts],
            "hour",
            [str(h) for h in range(24)],
        )
        protect([table], K)
        patterns.add(frozenset(table.hidden))
    assert len(patterns) == 1


def test_the_first_row_can_be_the_complement() -> None:
    """Regression: the complement at index 0 must be taken, not skipped for the total."""
    table = CountTable("reports", "venue", list("abcdef"), [[7], [18], [3], [12], [11], [674]])
    protect([table], K)
    assert table.hidden == {table.cell_index(0), table.cell_index(2)}
    assert table.published(table.total_index) == 725
