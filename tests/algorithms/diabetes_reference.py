"""An independent implementation of the published diabetes definition, in DuckDB SQL.

Written from the definition (domain notes §5.1, the card) and the cleaning and identity
rules (PMSI stays on a shared NIR attributed by sex and age, docs page "Patient
identity") in plain SQL over the parquet files, sharing no code with the library. The tests
compare it with the library person by person on generated data: any person on which the
two disagree is a defect of one of them. The benchmark (benchmarks/bench_diabetes.py)
times it as the hand-written SQL baseline.
"""

from __future__ import annotations

import re
from pathlib import Path

GEOGRAPHIC_FINESS = (
    Path(__file__).parents[2] / "snds_algos" / "data" / "finess_geographic_duplicates.csv"
)

#: person keys of IR_BEN_R (the identity policy): DCIR on (NIR, rank), PMSI on NIR only
IDENTITY = """
ben AS (
  SELECT BEN_NIR_PSA, BEN_RNG_GEM,
         COALESCE(BEN_IDT_ANO, BEN_NIR_PSA || '_' || BEN_RNG_GEM) AS pid
  FROM read_parquet('{d}/IR_BEN_R.parquet') WHERE BEN_NIR_PSA IS NOT NULL
),
dcir_key AS (
  SELECT BEN_NIR_PSA, BEN_RNG_GEM, MIN(pid) AS pid, COUNT(DISTINCT pid) AS n
  FROM ben GROUP BY BEN_NIR_PSA, BEN_RNG_GEM
),
pmsi_key AS (
  SELECT BEN_NIR_PSA, MIN(pid) AS pid, COUNT(DISTINCT pid) AS n FROM ben GROUP BY BEN_NIR_PSA
),
"""

#: the person of each MCO stay (after the CTEs b and c): the only person of its NIR_ANO_17,
#: else the only person of the NIR whose sex and birth fit the stay's COD_SEX, AGE_ANN
#: (completed years since the first day of the birth month, or one less in the birth
#: month) and AGE_JOU (infants: 0 to 30 days less than the days since the first day of
#: the birth month); an unknown value excludes nobody. ``n = 1`` when attributed.
MCO_PATIENT = """
ben_who AS (
  SELECT DISTINCT BEN_NIR_PSA,
         COALESCE(BEN_IDT_ANO, BEN_NIR_PSA || '_' || BEN_RNG_GEM) AS pid,
         CASE WHEN BEN_SEX_COD IN ('1', '2') THEN BEN_SEX_COD END AS sex,
         CASE WHEN BEN_NAI_ANN BETWEEN 1601 AND 9999 AND BEN_NAI_MOI BETWEEN 1 AND 12
              THEN make_date(BEN_NAI_ANN, BEN_NAI_MOI, 1) END AS born,
         CASE WHEN BEN_NAI_ANN BETWEEN 1601 AND 9999 THEN BEN_NAI_ANN END AS born_year
  FROM read_parquet('{d}/IR_BEN_R.parquet') WHERE BEN_NIR_PSA IS NOT NULL
),
mco_who AS (
  SELECT b.ETA_NUM, b.RSA_NUM, b.y, c.NIR_ANO_17 AS nir,
         CASE WHEN b.COD_SEX IN ('1', '2') THEN b.COD_SEX END AS sex,
         b.AGE_ANN AS age, b.AGE_JOU AS age_days, c.EXE_SOI_DTD AS entry
  FROM b JOIN c USING (ETA_NUM, RSA_NUM, y)
),
mco_fits AS (
  SELECT s.ETA_NUM, s.RSA_NUM, s.y, COUNT(DISTINCT p.pid) AS n, MIN(p.pid) AS pid
  FROM mco_who s
  JOIN pmsi_key k ON k.BEN_NIR_PSA = s.nir AND k.n > 1
  JOIN ben_who p ON p.BEN_NIR_PSA = s.nir
  WHERE (s.sex IS NULL OR p.sex IS NULL OR s.sex = p.sex)
    AND (s.age IS NULL OR s.entry IS NULL OR p.born_year IS NULL
         OR (p.born IS NULL
             AND s.age BETWEEN YEAR(s.entry) - p.born_year - 1 AND YEAR(s.entry) - p.born_year)
         OR s.age = date_sub('year', p.born, s.entry)
         OR (MONTH(s.entry) = MONTH(p.born) AND s.age = date_sub('year', p.born, s.entry) - 1))
    AND (s.age IS NULL OR s.age <> 0 OR s.age_days IS NULL OR s.entry IS NULL
         OR p.born IS NULL
         OR s.age_days BETWEEN (s.entry - p.born) - 30 AND (s.entry - p.born))
  GROUP BY s.ETA_NUM, s.RSA_NUM, s.y
),
pmsi_stay AS (
  SELECT s.ETA_NUM, s.RSA_NUM, s.y,
         CASE WHEN k.n = 1 THEN k.pid WHEN f.n = 1 THEN f.pid END AS pid,
         CASE WHEN k.n = 1 OR f.n = 1 THEN 1 ELSE 0 END AS n
  FROM mco_who s JOIN pmsi_key k ON k.BEN_NIR_PSA = s.nir
  LEFT JOIN mco_fits f ON f.ETA_NUM = s.ETA_NUM AND f.RSA_NUM = s.RSA_NUM AND f.y = s.y
),
"""

#: MCO stays kept: attributed to one person, and every MCO cleaning rule
MCO_KEPT = """
  WHERE k.n = 1 AND LENGTH(c.NIR_ANO_17) = 17
    AND c.NIR_ANO_17 NOT IN ('xxxxxxxxxxxxxxxxx', 'XXXXXXXXXXXXXXXXD')
    AND NOT COALESCE(b.GRG_GHM LIKE '90%', FALSE)
    AND NOT (COALESCE(b.SEJ_TYP, '') = 'B' AND COALESCE(b.GRG_GHM, '') NOT IN ('28Z14Z', '28Z15Z', '28Z16Z'))
    AND COALESCE(b.GHS_NUM, 0) <> 9999
    AND COALESCE(c.NIR_RET, '') = '0' AND COALESCE(c.NAI_RET, '') = '0'
    AND COALESCE(c.SEX_RET, '') = '0' AND COALESCE(c.SEJ_RET, '') = '0'
    AND COALESCE(c.FHO_RET, '') = '0' AND COALESCE(c.PMS_RET, '') = '0'
    AND COALESCE(c.DAT_RET, '') = '0'
    AND COALESCE(c.COH_NAI_RET, '') = '0' AND COALESCE(c.COH_SEX_RET, '') = '0'
    AND NOT (b.ETA_NUM IN (SELECT ETA_NUM FROM read_csv('{finess}', all_varchar = true))
             AND b.y <= 2017)
"""

#: columns of T_MCOaaB the references read to attribute a stay
B_WHO = "COD_SEX, AGE_ANN, AGE_JOU"

#: columns of T_MCOaaC the references read
C_COLUMNS = (
    "ETA_NUM, RSA_NUM, NIR_ANO_17, EXE_SOI_DTD, EXE_SOI_DTF, NIR_RET, NAI_RET, SEX_RET, SEJ_RET, "
    "FHO_RET, PMS_RET, DAT_RET, COH_NAI_RET, COH_SEX_RET"
)

SQL = (
    """
WITH
"""
    + IDENTITY
    + """ete AS (
  SELECT DISTINCT {keys}, '1' AS ETE_IND_TAA FROM read_parquet('{d}/ER_ETE_F.parquet')
  WHERE ETE_IND_TAA = '1'
),
prs AS (
  SELECT p.* FROM read_parquet('{d}/ER_PRS_F.parquet') p
  LEFT JOIN ete e USING ({keys})
  WHERE COALESCE(p.DPN_QLF, '') <> '71' AND COALESCE(p.PRS_DPN_QLP, '') <> '71'
    AND COALESCE(p.BSE_PRS_NAT, '') <> '0'
    AND COALESCE(e.ETE_IND_TAA, '') <> '1'
    AND p.FLX_DIS_DTD BETWEEN DATE '{y0}-01-01' AND DATE '{y2}-06-30'
    AND p.EXE_SOI_DTD BETWEEN DATE '{y0}-01-01' AND DATE '{y1}-12-31'
    AND LENGTH(p.BEN_NIR_PSA) = 17
    AND p.BEN_NIR_PSA NOT IN ('xxxxxxxxxxxxxxxxx', 'XXXXXXXXXXXXXXXXD')
),
pha AS (
  SELECT k.pid, prs.EXE_SOI_DTD AS day, f.PHA_PRS_C13 AS cip, r.PHA_ATC_C07 AS atc,
         COALESCE(r.PHA_CND_TOP = 'GC', FALSE) AS large, f.PHA_ACT_QSN AS qsn
  FROM prs
  JOIN read_parquet('{d}/ER_PHA_F.parquet') f USING ({keys})
  JOIN read_parquet('{d}/IR_PHA_R.parquet') r ON r.PHA_CIP_C13 = f.PHA_PRS_C13
  JOIN dcir_key k ON k.BEN_NIR_PSA = prs.BEN_NIR_PSA AND k.BEN_RNG_GEM = prs.BEN_RNG_GEM
  WHERE k.n = 1 AND r.PHA_ATC_C07 LIKE 'A10%'
),
dispensing AS (  -- regularisation: identical lines summed, kept when positive
  SELECT pid, day, cip, MIN(atc) AS atc, BOOL_OR(large) AS large
  FROM pha GROUP BY pid, day, cip HAVING SUM(qsn) > 0
),
drug_year AS (
  SELECT pid, YEAR(day) AS y, COUNT(DISTINCT day) AS dates, BOOL_OR(large) AS any_large
  FROM dispensing WHERE atc <> 'A10BX06' GROUP BY pid, YEAR(day)
),
drugs AS (
  SELECT DISTINCT pid FROM drug_year
  WHERE dates >= CASE WHEN any_large THEN 2 ELSE 3 END
),
ald AS (
  SELECT DISTINCT k.pid
  FROM read_parquet('{d}/IR_IMB_R.parquet') a
  JOIN dcir_key k ON k.BEN_NIR_PSA = a.BEN_NIR_PSA AND k.BEN_RNG_GEM = a.BEN_RNG_GEM
  WHERE k.n = 1 AND LENGTH(a.BEN_NIR_PSA) = 17
    AND regexp_matches(a.MED_MTF_COD, '^E1[0-4]')
    AND a.IMB_ETM_NAT IN ('41', '43', '45')
    AND a.IMB_ALD_DTD <= DATE '{y1}-12-31'
    AND (a.IMB_ALD_DTF IS NULL OR a.IMB_ALD_DTF IN (DATE '1600-01-01', DATE '2099-12-31')
         OR a.IMB_ALD_DTF >= DATE '{y1}-01-01')
),
b AS ({b}),
c AS ({c}),
um AS ({um}),
da AS ({da}),"""
    + MCO_PATIENT
    + """stays AS (
  SELECT b.ETA_NUM, b.RSA_NUM, b.y, k.pid, c.EXE_SOI_DTF AS exit_day, b.DGN_PAL, b.DGN_REL
  FROM b JOIN c USING (ETA_NUM, RSA_NUM, y)
  JOIN pmsi_stay k USING (ETA_NUM, RSA_NUM, y)
"""
    + MCO_KEPT
    + """    AND YEAR(c.EXE_SOI_DTF) IN ({y0}, {y1})
),
dpdr AS (  -- principal and related diagnoses, stay and unit level
  SELECT ETA_NUM, RSA_NUM, y, pid, exit_day, DGN_PAL AS code FROM stays
  UNION ALL SELECT ETA_NUM, RSA_NUM, y, pid, exit_day, DGN_REL FROM stays
  UNION ALL SELECT s.ETA_NUM, s.RSA_NUM, s.y, s.pid, s.exit_day, um.DGN_PAL
    FROM stays s JOIN um USING (ETA_NUM, RSA_NUM, y)
  UNION ALL SELECT s.ETA_NUM, s.RSA_NUM, s.y, s.pid, s.exit_day, um.DGN_REL
    FROM stays s JOIN um USING (ETA_NUM, RSA_NUM, y)
),
hospital AS (
  SELECT DISTINCT pid FROM dpdr WHERE regexp_matches(code, '^E1[0-4]')
),
hospital_complication AS (
  SELECT DISTINCT dpdr.pid FROM dpdr
  JOIN da USING (ETA_NUM, RSA_NUM, y)
  WHERE regexp_matches(dpdr.code, '^(G590|G632|G730|G990|H280|H360|I792|L97|M142|M146|N083)')
    AND regexp_matches(da.ASS_DGN, '^E1[0-4]')
),
everyone AS (
  SELECT pid FROM drugs UNION SELECT pid FROM ald UNION SELECT pid FROM hospital
  UNION SELECT pid FROM hospital_complication
)
SELECT e.pid AS patient_id,
       e.pid IN (SELECT pid FROM drugs) AS drugs,
       e.pid IN (SELECT pid FROM ald) AS ald,
       e.pid IN (SELECT pid FROM hospital) AS hospital,
       e.pid IN (SELECT pid FROM hospital_complication) AS hospital_complication,
       TRUE AS "case"
FROM everyone e ORDER BY patient_id
"""
)

KEYS = (
    "FLX_DIS_DTD, FLX_TRT_DTD, FLX_EMT_TYP, FLX_EMT_NUM, FLX_EMT_ORD, ORG_CLE_NUM, "
    "DCT_ORD_NUM, PRS_ORD_NUM, REM_TYP_AFF"
)


def _yearly(folder: Path, suffix: str, columns: str, years: list[int]) -> str:
    parts = []
    for y in years:
        path = folder / f"T_MCO{y % 100:02d}{suffix}.parquet"
        if path.exists():
            parts.append(f"SELECT {columns}, {y} AS y FROM read_parquet('{path}')")
    if not parts:
        raise FileNotFoundError(f"no T_MCOaa{suffix} table for {years} in {folder}")
    return " UNION ALL ".join(parts)


def reference_sql(folder: str | Path, year: int) -> str:
    """The SQL text for a data folder and reference year."""
    folder = Path(folder)
    years = [year - 1, year]
    sql = SQL.format(
        d=folder,
        keys=KEYS,
        y0=year - 1,
        y1=year,
        y2=year + 1,
        finess=GEOGRAPHIC_FINESS,
        b=_yearly(
            folder,
            "B",
            f"ETA_NUM, RSA_NUM, GRG_GHM, SEJ_TYP, GHS_NUM, DGN_PAL, DGN_REL, {B_WHO}",
            years,
        ),
        c=_yearly(folder, "C", C_COLUMNS, years),
        um=_yearly(folder, "UM", "ETA_NUM, RSA_NUM, DGN_PAL, DGN_REL", years),
        da=_yearly(folder, "D", "ETA_NUM, RSA_NUM, ASS_DGN", years),
    )
    return re.sub(r"\n\s*\n", "\n", sql)


def run_sql(sql: str, threads: int | None = None):
    """Run a reference query with DuckDB and return a pandas frame."""
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def reference_cases(folder: str | Path, year: int, threads: int | None = None):
    """Persons with diabetes in ``year`` by the SQL implementation (pandas frame)."""
    return run_sql(reference_sql(folder, year), threads)
