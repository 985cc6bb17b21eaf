"""Small-count suppression for figures that leave the office, so no family can be recognised.

Primary: every count from 1 to 4 is hidden (`THRESHOLD` = 5; 0 is shown, it names nobody).

Secondary: a hidden cell must not come back by subtraction. The cells are linked by sums:
each total is the sum of its parts (`figures.PARTITIONS`, e.g. requests = the six case
types), a region is the sum of its offices and the country of its regions, and a year is the
sum of its months. In every such group (the total and its parts) either no cell is hidden or
at least two are: where only one is, the smallest positive visible part (else the total) is
hidden too, and the groups are checked again until nothing changes. Only whole months are
counted (the month not yet over is left out), so a young month's small counts never force a
finished month or the year to be hidden.

The pattern is computed once over the whole national table of a year (every office, region,
month and the year), whoever asks and for whatever slice, so two different views of the same
year can never be combined to undo each other's suppression.

What this does not do: it is the "at least two per group" rule, not an optimal cell
suppression (as tau-argus solves with linear programming), so a determined attacker solving
many linked equations at once may narrow a hidden cell to an interval. Medians and p90 are
shown only where the number of cases behind them is shown and at least `THRESHOLD`.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from mediators.models import Office, Region
from mediators.reports.figures import DISTRIBUTIONS, MEASURES, PARTITIONS, YearFigures

THRESHOLD = 5
YEAR = 0  # the month index of the whole year

Unit = tuple[str, str]  # ("office", code), ("region", code) or ("country", "")
Cell = tuple[Unit, int, str]  # unit, month (0: the year), measure
COUNTRY: Unit = ("country", "")


@dataclass
class Cube:
    """Every count of a year for every office, region and the country, months and year."""

    year: int
    offices: dict[str, tuple[str, str]]  # office code → (name, region)
    values: dict[Cell, int] = field(default_factory=dict)
    days: dict[tuple[Unit, int, str], Counter[int]] = field(default_factory=dict)

    def value(self, unit: Unit, month: int, measure: str) -> int:
        return self.values.get((unit, month, measure), 0)

    def histogram(self, unit: Unit, month: int, name: str) -> Counter[int]:
        return self.days.get((unit, month, name), Counter())

    def units(self) -> list[Unit]:
        return [
            COUNTRY,
            *(("region", r) for r in Region.values),
            *(("office", c) for c in self.offices),
        ]

    def offices_in(self, region: str) -> list[Unit]:
        return [("office", code) for code, (_, r) in self.offices.items() if r == region]


def cube_build(year: int, figures: YearFigures) -> Cube:
    """Add the per-office months up to regions, the country and the year."""
    offices = Office.objects.order_by("code").values_list("pk", "code", "name", "region")
    by_id = {pk: (code, region) for pk, code, _, region in offices}
    cube = Cube(year=year, offices={code: (name, region) for _, code, name, region in offices})
    for (office_id, month), entry in figures.items():
        code, region = by_id[office_id]
        units = (("office", code), ("region", region), COUNTRY)
        for unit in units:
            for when in (month, YEAR):
                for measure, n in entry.counts.items():
                    cube.values[(unit, when, measure)] = cube.value(unit, when, measure) + n
                for name, histogram in entry.days.items():
                    cube.days.setdefault((unit, when, name), Counter()).update(histogram)
    return cube


def _groups(cube: Cube) -> Iterable[list[Cell]]:
    """Every sum that links cells: the total first, then its parts."""
    units = cube.units()
    months = range(0, 13)
    for unit in units:
        for month in months:
            for total, parts in PARTITIONS:
                yield [(unit, month, total), *((unit, month, p) for p in parts)]
        for measure in MEASURES:
            yield [(unit, YEAR, measure), *((unit, m, measure) for m in range(1, 13))]
    for month in months:
        for measure in MEASURES:
            regions = [(("region", r), month, measure) for r in Region.values]
            yield [(COUNTRY, month, measure), *regions]
            for region in Region.values:
                offices = cube.offices_in(region)
                if offices:
                    region_cell = (("region", region), month, measure)
                    yield [region_cell, *((o, month, measure) for o in offices)]


def suppressed_cells(cube: Cube) -> set[Cell]:
    """The cells to hide: primary (1–4) and secondary (see the module docstring)."""
    hidden = {cell for cell, n in cube.values.items() if 0 < n < THRESHOLD}
    groups = list(_groups(cube))
    changed = True
    while changed:
        changed = False
        for group in groups:
            hidden_here = [cell for cell in group if cell in hidden]
            if len(hidden_here) != 1:
                continue
            total, parts = group[0], group[1:]
            visible = [c for c in parts if c not in hidden and cube.values.get(c, 0) > 0]
            if visible:
                choice = min(visible, key=lambda c: (cube.values[c], c[2], c[1], c[0]))
            elif total not in hidden:
                choice = total
            else:  # only zeros are left visible: the hidden cell is not recoverable
                continue
            hidden.add(choice)
            changed = True
    return hidden


__all__ = ["DISTRIBUTIONS", "THRESHOLD", "YEAR", "Cell", "Cube", "Unit", "cube_build"]
