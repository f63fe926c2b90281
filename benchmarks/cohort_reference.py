"""An independent DuckDB SQL implementation of the example study metformin_new_users_ami,
on extracted events (``events.parquet``) and patients (``patients.parquet``).

Written from ``docs/user_guide/cohorts.md`` and the study's card, not from the library's
code: used by ``benchmarks/bench_cohorts.py`` as the speed baseline and as a check of
the rows.
"""

from __future__ import annotations

import datetime as dt

METFORMIN = ["A10BA02", "A10BD02", "A10BD03", "A10BD05", "A10BD07", "A10BD08", "A10BD10",
             "A10BD11", "A10BD13", "A10BD14", "A10BD15", "A10BD16", "A10BD20", "A10BD23",
             "A10BD25"]  # fmt: skip


def _prefix(column: str, codes: list[str]) -> str:
    return "(" + " OR ".join(f"starts_with({column}, '{c}')" for c in codes) + ")"


def study_sql(events: str, patients: str, data_start: dt.date, data_end: dt.date) -> str:
    """The SQL text: one row per person of the cohort."""
    s, e = f"DATE '{data_start}'", f"DATE '{data_end}'"
    return f"""
WITH ev AS (SELECT patient_id, category, value, start, "end", position, level
            FROM read_parquet('{events}')),
met AS (SELECT patient_id, start AS idx, min(value) AS entry_value FROM ev
        WHERE category = 'drug_dispensing' AND {_prefix("value", METFORMIN)} GROUP BY ALL),
first AS (SELECT * FROM met QUALIFY idx = min(idx) OVER (PARTITION BY patient_id)),
obs AS (SELECT patient_id, sex, birth_date, death_date,
               greatest({s}, coalesce(birth_date, {s})) AS obs_start,
               least({e}, coalesce(death_date, {e})) AS obs_end
        FROM read_parquet('{patients}')),
entered AS (SELECT f.*, o.birth_date, o.death_date FROM first f JOIN obs o USING (patient_id)
            WHERE o.obs_start + 365 <= f.idx AND f.idx <= o.obs_end),
t2d AS (SELECT DISTINCT x.patient_id FROM entered x JOIN ev USING (patient_id)
        WHERE ((ev.category = 'hospital_diagnosis' AND ev.position IN ('DP', 'DR', 'DA')
                AND ev.level IN ('stay', 'unit')) OR ev.category = 'ald')
          AND starts_with(ev.value, 'E11') AND ev.start <= x.idx),
insulin_before AS (SELECT DISTINCT x.patient_id FROM entered x JOIN ev USING (patient_id)
        WHERE ev.category = 'drug_dispensing' AND starts_with(ev.value, 'A10A') AND ev.start < x.idx),
kept AS (SELECT * FROM entered
         WHERE patient_id IN (SELECT patient_id FROM t2d)
           AND patient_id NOT IN (SELECT patient_id FROM insulin_before)
           AND birth_date IS NOT NULL
           AND year(idx) - year(birth_date)
               - CASE WHEN month(idx) * 100 + day(idx) < month(birth_date) * 100 + 1 THEN 1 ELSE 0 END >= 18),
outcome AS (SELECT k.patient_id, min(ev.start) AS d FROM kept k JOIN ev USING (patient_id)
            WHERE ev.category = 'hospital_diagnosis' AND ev.position = 'DP' AND ev.level IN ('stay', 'unit')
              AND (starts_with(ev.value, 'I21') OR starts_with(ev.value, 'I22')) AND ev.start >= k.idx
            GROUP BY ALL),
censor AS (SELECT k.patient_id, min(ev.start) AS d FROM kept k JOIN ev USING (patient_id)
           WHERE ev.category = 'drug_dispensing' AND starts_with(ev.value, 'A10A') AND ev.start >= k.idx
           GROUP BY ALL),
candidates AS (
  SELECT k.patient_id, k.idx, k.entry_value, o.d AS x_outcome, k.death_date AS x_death,
         c.d AS x_censor, {e} AS x_end, CAST(k.idx + 729 AS DATE) AS x_max
  FROM kept k LEFT JOIN outcome o USING (patient_id) LEFT JOIN censor c USING (patient_id)),
exits AS (SELECT *, least(coalesce(x_outcome, DATE '9999-12-31'), coalesce(x_death, DATE '9999-12-31'),
                          coalesce(x_censor, DATE '9999-12-31'), x_end, x_max) AS exit_date
          FROM candidates)
SELECT patient_id, idx AS index_date, exit_date,
       CASE WHEN x_outcome = exit_date THEN 'outcome' WHEN x_death = exit_date THEN 'death'
            WHEN x_censor = exit_date THEN 'censor' WHEN x_end = exit_date THEN 'end_of_data'
            ELSE 'max_follow_up' END AS exit_reason,
       entry_value, CAST(exit_date - idx + 1 AS BIGINT) AS duration_days
FROM exits ORDER BY patient_id, index_date
"""


def reference_rows(
    events: str, patients: str, data_start: dt.date, data_end: dt.date, threads: int = 2
):
    """The cohort rows as a pandas DataFrame (a fresh DuckDB connection)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    return con.sql(study_sql(events, patients, data_start, data_end)).df()
