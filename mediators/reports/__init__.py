"""Statistics from the protocol data (issue #9): read-only selectors, suppression, output.

- `periods`: a month or a year, in Oslo time.
- `figures`: the counts, aggregated in SQL per office and month (never per case in Python),
  from cases, appointments, certificates and the conflict level. Never from answers or the
  classification's reasons (meklingsforskriften § 9: they are not part of the protocol).
- `suppression`: small counts (1–4) hidden in anything leaving the office, with secondary
  suppression so no hidden cell comes back by subtraction.
- `tables`: one scope (office / region / country) and period as rows of figures.
- `exports`, `charts`: CSV, XLSX and server-rendered SVG.
"""
