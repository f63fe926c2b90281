"""Independent implementations of acute coronary syndrome and heart failure, in DuckDB SQL.

Written from the definitions (domain notes §5.2, the cards) and the cleaning and identity
rules in plain SQL over the parquet files, sharing no code with the library (the same
rules as tests/algorithms/diabetes_reference.py). The tests compare them with the library
person by person on generated data: any disagreement is a defect of one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.algorithms.diabetes_reference import (
    B_WHO,
    C_COLUMNS,
    GEOGRAPHIC_FINESS,
    IDENTITY,
    MCO_KEPT,
    MCO_PATIENT,
    _yearly,
    run_sql,
)

SQL = (
    """
WITH
"""
    + IDENTITY
    + """b AS ({b}),
c AS ({c}),
um AS ({um}),
da AS ({da}),"""
    + MCO_PATIENT
    + """stays AS (
  SELECT b.ETA_NUM, b.RSA_NUM, b.y, k.pid, YEAR(c.EXE_SOI_DTF) AS exit_year, b.DGN_PAL
  FROM b JOIN c USING (ETA_NUM, RSA_NUM, y)
  JOIN pmsi_stay k USING (ETA_NUM, RSA_NUM, y)
"""
    + MCO_KEPT
    + """),
dp AS (  -- principal diagnoses of the stay and of its units
  SELECT ETA_NUM, RSA_NUM, y, pid, exit_year, DGN_PAL AS code FROM stays
  UNION ALL SELECT s.ETA_NUM, s.RSA_NUM, s.y, s.pid, s.exit_year, um.DGN_PAL
    FROM stays s JOIN um USING (ETA_NUM, RSA_NUM, y)
),
acs AS (
  SELECT DISTINCT pid FROM dp WHERE exit_year = {n} AND regexp_matches(code, '^I2[1-4]')
),
hf_stay AS (  -- stays meeting the acute heart failure codes, with their exit year
  SELECT DISTINCT pid, exit_year, 'dp' AS kind FROM dp WHERE regexp_matches(code, '^I50')
  UNION ALL
  SELECT DISTINCT dp.pid, dp.exit_year, 'other' FROM dp JOIN da USING (ETA_NUM, RSA_NUM, y)
  WHERE regexp_matches(dp.code, '^(I110|I130|I132|J81|K761)') AND regexp_matches(da.ASS_DGN, '^I50')
),
hf_ald AS (
  SELECT DISTINCT k.pid
  FROM read_parquet('{d}/IR_IMB_R.parquet') a
  JOIN dcir_key k ON k.BEN_NIR_PSA = a.BEN_NIR_PSA AND k.BEN_RNG_GEM = a.BEN_RNG_GEM
  WHERE k.n = 1 AND LENGTH(a.BEN_NIR_PSA) = 17
    AND regexp_matches(a.MED_MTF_COD, '^(I50|I110|I130|I132)')
    AND a.IMB_ETM_NAT IN ('41', '43', '45')
    AND a.IMB_ALD_DTD > DATE '1600-01-01' AND a.IMB_ALD_DTD <= DATE '{n}-12-31'
    AND (a.IMB_ALD_DTF IS NULL OR a.IMB_ALD_DTF IN (DATE '1600-01-01', DATE '2099-12-31')
         OR a.IMB_ALD_DTF >= DATE '{n}-01-01')
),
everyone AS (
  SELECT pid FROM acs UNION SELECT pid FROM hf_stay WHERE exit_year BETWEEN {n5} AND {n}
  UNION SELECT pid FROM hf_ald
)
SELECT e.pid AS patient_id,
       e.pid IN (SELECT pid FROM acs) AS acute_coronary_syndrome,
       e.pid IN (SELECT pid FROM hf_stay WHERE exit_year = {n} AND kind = 'dp') AS acute,
       e.pid IN (SELECT pid FROM hf_stay WHERE exit_year = {n} AND kind = 'other')
         AS acute_other_dp,
       e.pid IN (SELECT pid FROM hf_ald) AS chronic_ald,
       e.pid IN (SELECT pid FROM hf_stay WHERE exit_year BETWEEN {n5} AND {n} - 1
                 AND kind = 'dp') AS chronic_past_stay,
       e.pid IN (SELECT pid FROM hf_stay WHERE exit_year BETWEEN {n5} AND {n} - 1
                 AND kind = 'other') AS chronic_past_stay_other_dp
FROM everyone e ORDER BY patient_id
"""
)


def reference_cases(folder: str | Path, year: int):
    """Per person found by the SQL: the ACS flag and the heart failure criteria flags."""
    folder = Path(folder)
    years = [
        y for y in range(year - 5, year + 1) if (folder / f"T_MCO{y % 100:02d}B.parquet").exists()
    ]
    sql = SQL.format(
        d=folder,
        n=year,
        n5=year - 5,
        finess=GEOGRAPHIC_FINESS,
        b=_yearly(
            folder, "B", f"ETA_NUM, RSA_NUM, GRG_GHM, SEJ_TYP, GHS_NUM, DGN_PAL, {B_WHO}", years
        ),
        c=_yearly(folder, "C", C_COLUMNS, years),
        um=_yearly(folder, "UM", "ETA_NUM, RSA_NUM, DGN_PAL", years),
        da=_yearly(folder, "D", "ETA_NUM, RSA_NUM, ASS_DGN", years),
    )
    return run_sql(re.sub(r"\n\s*\n", "\n", sql))
