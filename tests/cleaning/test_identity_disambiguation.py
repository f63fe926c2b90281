"""PMSI stays on a shared NIR attributed by the stay's sex and age (issue #16).

Every case of the issue, and every boundary of the compatibility rule, on every backend.
"""

import datetime as dt

import pandas as pd
import pytest

from snds_algos.contracts.dtypes import date_series
from snds_algos.identity import attribute_pmsi
from snds_algos.reports import Report
from tests.helpers import rows

FAMILY, TWINS, MIXED, ALONE = "F" * 17, "T" * 17, "M" * 17, "A" * 17

PERSONS = [
    # NIR, rank, person, sex, birth year, birth month
    (FAMILY, "1", "MOTHER", "2", 1985, 4),
    (FAMILY, "2", "DAUGHTER", "2", 2012, 6),  # same-sex siblings of different ages
    (FAMILY, "3", "SISTER", "2", 2015, 9),
    (FAMILY, "4", "SON", "1", 2019, 11),  # an infant in 2020
    (TWINS, "2", "TWIN1", "1", 2016, 3),  # same-sex twins
    (TWINS, "3", "TWIN2", "1", 2016, 3),
    (MIXED, "2", "BOY", "1", 2010, 7),  # twins of different sexes
    (MIXED, "3", "GIRL", "2", 2010, 7),
    (ALONE, "1", "SINGLE", "1", 1950, 1),
]


def ben(backend, persons=PERSONS):
    frame = pd.DataFrame(
        persons,
        columns=[
            "BEN_NIR_PSA",
            "BEN_RNG_GEM",
            "BEN_IDT_ANO",
            "BEN_SEX_COD",
            "BEN_NAI_ANN",
            "BEN_NAI_MOI",
        ],
    )
    return backend.frame(
        frame.astype(
            {
                "BEN_NIR_PSA": "string[pyarrow]",
                "BEN_RNG_GEM": "string[pyarrow]",
                "BEN_IDT_ANO": "string[pyarrow]",
                "BEN_SEX_COD": "string[pyarrow]",
                "BEN_NAI_ANN": "Int64",
                "BEN_NAI_MOI": "Int64",
            }
        )
    )


def stays(backend, data):
    """``data``: (stay, NIR, sex, AGE_ANN, AGE_JOU, entry date)."""
    frame = pd.DataFrame(
        data, columns=["RSA_NUM", "NIR_ANO_17", "COD_SEX", "AGE_ANN", "AGE_JOU", "d"]
    )
    out = pd.DataFrame(
        {
            "RSA_NUM": frame["RSA_NUM"].astype("string[pyarrow]"),
            "NIR_ANO_17": frame["NIR_ANO_17"].astype("string[pyarrow]"),
            "COD_SEX": frame["COD_SEX"].astype("string[pyarrow]"),
            "AGE_ANN": frame["AGE_ANN"].astype("Int64"),
            "AGE_JOU": frame["AGE_JOU"].astype("Int64"),
            "EXE_SOI_DTD": date_series(list(frame["d"])),
        }
    )
    return backend.frame(out)


def attributed(backend, data, persons=PERSONS, **kwargs):
    report = Report()
    out = attribute_pmsi(stays(backend, data), ben(backend, persons), report=report, **kwargs)
    got = {r["RSA_NUM"]: r["patient_id"] for r in rows(out, ["RSA_NUM"])}
    return got, step_counts(report)


def step_counts(report):
    """Rows removed by each identity step, and rows kept by each attribution note."""
    counts = dict(report.to_pandas()[["step", "rows_removed"]].values.tolist())
    counts.update(report.notes_pandas()[["step", "rows_counted"]].values.tolist())
    return counts


D = dt.date


def test_every_case_of_the_issue(backend):
    data = [
        ("1", MIXED, "1", 9, None, D(2020, 3, 10)),  # twins of different sexes: the boy
        ("2", MIXED, "2", 9, None, D(2020, 3, 10)),  # ... and the girl
        ("3", FAMILY, "2", 7, None, D(2020, 3, 10)),  # same-sex siblings: the elder (2012-06)
        ("4", FAMILY, "2", 4, None, D(2020, 3, 10)),  # ... the younger (2015-09)
        ("5", FAMILY, "2", 34, None, D(2020, 3, 10)),  # ... the mother (1985-04)
        ("6", TWINS, "1", 4, None, D(2020, 3, 10)),  # same-sex twins: ambiguous
        ("7", FAMILY, "1", 0, 120, D(2020, 3, 10)),  # infant, AGE_ANN 0: the son (2019-11)
        ("8", TWINS, "2", 4, None, D(2020, 3, 10)),  # sex matching nobody: ambiguous
        ("9", ALONE, "2", 3, None, D(2020, 3, 10)),  # unshared key: unchanged
    ]
    got, counts = attributed(backend, data)
    assert got == {
        "1": "BOY",
        "2": "GIRL",
        "3": "DAUGHTER",
        "4": "SISTER",
        "5": "MOTHER",
        "7": "SON",
        "9": "SINGLE",  # attributed on the key alone, whatever its sex and age say
    }
    assert counts == {
        "identity:invalid_nir": 0,
        "identity:not_in_referential": 0,
        "identity:attributed_by_key": 1,
        "identity:attributed_by_sex_age": 6,
        "identity:ambiguous": 2,
    }


def test_report_steps_chain_and_outcomes_in_order(backend):
    data = [
        ("1", "x" * 17, "1", 9, None, D(2020, 3, 10)),  # invalid NIR
        ("2", "Z" * 17, "1", 9, None, D(2020, 3, 10)),  # not in IR_BEN_R
        ("3", ALONE, "1", 70, None, D(2020, 3, 10)),
        ("4", MIXED, "1", 9, None, D(2020, 3, 10)),
        ("5", TWINS, "1", 4, None, D(2020, 3, 10)),
    ]
    report = Report()
    attribute_pmsi(stays(backend, data), ben(backend), table="T_MCOaaC", report=report)
    table = report.to_pandas()
    assert table[["step", "rows_in", "rows_removed", "rows_out"]].values.tolist() == [
        ["identity:invalid_nir", 5, 1, 4],
        ["identity:not_in_referential", 4, 1, 3],
        ["identity:ambiguous", 3, 1, 2],
    ]
    assert set(table["table"]) == {"T_MCOaaC"}
    # the kept rows, by how they were attributed (counted, not removed)
    notes = report.notes_pandas()
    assert notes[["step", "rows_in", "rows_counted"]].values.tolist() == [
        ["identity:attributed_by_key", 5, 1],
        ["identity:attributed_by_sex_age", 5, 1],
    ]


def test_switched_off_every_shared_key_is_ambiguous(backend):
    data = [
        ("1", MIXED, "1", 9, None, D(2020, 3, 10)),
        ("2", FAMILY, "2", 34, None, D(2020, 3, 10)),
        ("3", ALONE, "1", 70, None, D(2020, 3, 10)),
    ]
    got, counts = attributed(backend, data, disambiguate=False)
    assert got == {"3": "SINGLE"}
    assert counts["identity:attributed_by_sex_age"] == 0
    assert counts["identity:ambiguous"] == 2


# Age boundaries: DAUGHTER born 2012-06 (first day 2012-06-01), SISTER 2015-09, both girls.
@pytest.mark.parametrize(
    ("age", "entry", "expected"),
    [
        (7, D(2020, 5, 31), "DAUGHTER"),  # the day before the birth month: A = 2020-2012-1 = 7
        (8, D(2020, 5, 31), None),  # A = 7: 8 is too old
        (6, D(2020, 5, 31), None),  # A = 7: 6 only allowed in the birth month
        (8, D(2020, 6, 1), "DAUGHTER"),  # first day of the birth month: A = 8
        (7, D(2020, 6, 1), "DAUGHTER"),  # ... and A - 1 (birthday later in June)
        (7, D(2020, 6, 30), "DAUGHTER"),  # last day of the birth month: A - 1 still allowed
        (7, D(2020, 7, 1), None),  # the month after: only A = 8
        (8, D(2020, 7, 1), "DAUGHTER"),
        (6, D(2020, 6, 15), None),  # A - 2: never
    ],
)
def test_age_boundaries_around_the_birth_month(backend, age, entry, expected):
    persons = [
        (FAMILY, "2", "DAUGHTER", "2", 2012, 6),
        (FAMILY, "3", "OLDER", "2", 2000, 1),
    ]
    got, _ = attributed(backend, [("1", FAMILY, "2", age, None, entry)], persons)
    assert got.get("1") == expected


def test_completed_age_before_the_birth_month(backend):
    persons = [(FAMILY, "2", "DAUGHTER", "2", 2012, 6), (FAMILY, "3", "OLDER", "2", 2000, 1)]
    data = [
        ("1", FAMILY, "2", 7, None, D(2020, 5, 31)),  # 2020 - 2012 - 1 = 7: compatible
        ("2", FAMILY, "2", 20, None, D(2020, 1, 1)),  # OLDER, first day of her birth month
        ("3", FAMILY, "2", 19, None, D(2020, 1, 31)),  # OLDER, A - 1 in her birth month
        ("4", FAMILY, "2", 19, None, D(2020, 2, 1)),  # A = 20 after the birth month: none
        ("5", FAMILY, "2", 19, None, D(2019, 12, 31)),  # A = 19 before it: OLDER
    ]
    got, _ = attributed(backend, data, persons)
    assert got == {"1": "DAUGHTER", "2": "OLDER", "3": "OLDER", "5": "OLDER"}


# Infant boundaries: SON born 2019-11 (first day 2019-11-01), a sibling aged 0 too would
# need twins; here the other person of the key is a boy of 2019-01 (aged 0 until 2020-01).
@pytest.mark.parametrize(
    ("age_days", "entry", "expected"),
    [
        (10, D(2019, 11, 11), "SON"),  # D = 10: AGE_JOU = D
        (0, D(2019, 11, 30), "SON"),  # D = 29: AGE_JOU = D - 29 (born on the 30th)
        (0, D(2019, 12, 1), "SON"),  # D = 30: D - 30 is the lowest compatible
        (0, D(2019, 12, 2), None),  # D = 31: D - 31 is not (and the other boy is older)
        (11, D(2019, 11, 11), None),  # AGE_JOU > D: born before the birth month
        (None, D(2019, 11, 11), None),  # AGE_JOU unknown: both boys are aged 0
    ],
)
def test_infant_age_in_days(backend, age_days, entry, expected):
    persons = [(FAMILY, "2", "SON", "1", 2019, 11), (FAMILY, "3", "BROTHER", "1", 2019, 1)]
    got, _ = attributed(backend, [("1", FAMILY, "1", 0, age_days, entry)], persons)
    assert got.get("1") == expected


def test_unknown_values_exclude_nobody(backend):
    persons = [
        (FAMILY, "1", "FATHER", "1", 1980, 2),
        (FAMILY, "2", "DAUGHTER", "2", 2012, 6),
        (FAMILY, "3", "NOBIRTH", "2", 1600, 1),  # unknown birth (SNDS sentinel)
        (TWINS, "1", "MAN", "1", 1970, 5),
        (TWINS, "2", "GIRL", "2", 2014, 0),  # unknown birth month: year only
        (MIXED, "1", "UNSEXED", "9", 1990, 5),  # unknown sex
        (MIXED, "2", "BOY", "1", 2011, 5),
    ]
    data = [
        ("1", FAMILY, "1", 40, None, D(2020, 3, 10)),  # the father only (a man)
        ("2", FAMILY, "2", 7, None, D(2020, 3, 10)),  # DAUGHTER or NOBIRTH: ambiguous
        ("3", FAMILY, None, 40, None, D(2020, 3, 10)),  # sex unknown: FATHER or NOBIRTH
        ("4", FAMILY, "1", None, None, D(2020, 3, 10)),  # age unknown: the man of the key
        ("5", TWINS, "2", 6, None, D(2020, 3, 10)),  # 2020 - 2014 - 1 = 5 <= 6 <= 6
        ("6", TWINS, "2", 4, None, D(2020, 3, 10)),  # too young for a girl of 2014
        ("7", MIXED, "2", 29, None, D(2020, 3, 10)),  # unknown sex: age says UNSEXED
        ("8", MIXED, "1", 8, None, D(2020, 3, 10)),  # BOY (UNSEXED is 29)
        ("9", MIXED, None, None, None, D(2020, 3, 10)),  # nothing known: ambiguous
        ("10", FAMILY, "2", 7, None, None),  # no entry date: DAUGHTER or NOBIRTH
    ]
    got, _ = attributed(backend, data, persons)
    assert got == {"1": "FATHER", "4": "FATHER", "5": "GIRL", "7": "UNSEXED", "8": "BOY"}


def test_columns_absent_leave_shared_keys_ambiguous(backend):
    frame = backend.frame(
        pd.DataFrame({"NIR_ANO_17": [MIXED, ALONE], "RSA_NUM": ["1", "2"]}).astype(
            "string[pyarrow]"
        )
    )
    report = Report()
    out = attribute_pmsi(frame, ben(backend), report=report)
    assert [(r["RSA_NUM"], r["patient_id"]) for r in rows(out, ["RSA_NUM"])] == [("2", "SINGLE")]
    assert (
        dict(report.to_pandas()[["step", "rows_removed"]].values.tolist())["identity:ambiguous"]
        == 1
    )


def test_one_person_with_two_rows_counts_once(backend):
    # a person with two IR_BEN_R rows on the key (same BEN_IDT_ANO) is one candidate
    persons = [*PERSONS, (MIXED, "4", "BOY", "1", 2010, 7)]
    got, _ = attributed(backend, [("1", MIXED, "1", 9, None, D(2020, 3, 10))], persons)
    assert got == {"1": "BOY"}


def test_output_keeps_the_input_columns_and_type(backend):
    data = [("1", MIXED, "1", 9, None, D(2020, 3, 10))]
    out = attribute_pmsi(stays(backend, data), ben(backend))
    assert type(out).__name__ == type(stays(backend, data)).__name__
    assert list(backend.collect(out).columns) == [
        "RSA_NUM", "NIR_ANO_17", "COD_SEX", "AGE_ANN", "AGE_JOU", "EXE_SOI_DTD", "patient_id",
    ]  # fmt: skip


def pmsi_tables(backend):
    """MCO, SSR and HAD stays of the boy and the girl of MIXED (twins of different sexes)."""
    from snds_algos.cleaning.pmsi import QUALITY_CODES

    def frame(data):
        return backend.frame(pd.DataFrame(data))

    entry = {"EXE_SOI_DTD": date_series(["2020-03-10"] * 2), "EXE_SOI_DTF": date_series(["2020-03-12"] * 2)}  # fmt: skip
    text = "string[pyarrow]"
    nir = pd.array([MIXED, MIXED], dtype=text)
    return {
        "IR_BEN_R": ben(backend),
        "T_MCO20B": frame({
            "ETA_NUM": pd.array(["010000001"] * 2, dtype=text), "RSA_NUM": pd.array(["1", "2"], dtype=text),
            "DGN_PAL": pd.array(["E119", "E109"], dtype=text), "DGN_REL": pd.array([None, None], dtype=text),
            "GRG_GHM": pd.array(["10M02T"] * 2, dtype=text), "SEJ_TYP": pd.array([None, None], dtype=text),
            "GHS_NUM": pd.array([1, 1], dtype="Int64"), "COD_SEX": pd.array(["1", "2"], dtype=text),
            "AGE_ANN": pd.array([9, 9], dtype="Int64"),
        }),
        "T_MCO20C": frame({
            "ETA_NUM": pd.array(["010000001"] * 2, dtype=text), "RSA_NUM": pd.array(["1", "2"], dtype=text),
            "NIR_ANO_17": nir, **entry, **{c: pd.array(["0"] * 2, dtype=text) for c in QUALITY_CODES},
        }),
        # SSR: two RHS rows for stay 1 (the boy's), one for stay 2 whose sex is unknown
        "T_SSR20B": frame({
            "ETA_NUM": pd.array(["010000001"] * 3, dtype=text), "RHA_NUM": pd.array(["1", "1", "2"], dtype=text),
            "RHS_NUM": pd.array(["1", "2", "1"], dtype=text), "MOR_PRP": pd.array(["E119"] * 3, dtype=text),
            "ETL_AFF": pd.array([None] * 3, dtype=text), "COD_SEX": pd.array(["1", "1", None], dtype=text),
            "AGE_ANN": pd.array([9.0, 9.0, 9.0], dtype="Float64"),
        }),
        "T_SSR20C": frame({
            "ETA_NUM": pd.array(["010000001"] * 2, dtype=text), "RHA_NUM": pd.array(["1", "2"], dtype=text),
            "NIR_ANO_17": nir, **entry,
        }),
        # HAD: stay 1 of the girl, stay 2 with B rows that disagree on the sex (unknown)
        "T_HAD20B": frame({
            "ETA_NUM_EPMSI": pd.array(["010000001"] * 3, dtype=text),
            "RHAD_NUM": pd.array(["1", "2", "2"], dtype=text), "DGN_PAL": pd.array(["E119"] * 3, dtype=text),
            "COD_SEX": pd.array(["2", "1", "2"], dtype=text), "AGE_ANN": pd.array([9.0] * 3, dtype="Float64"),
        }),
        "T_HAD20C": frame({
            "ETA_NUM_EPMSI": pd.array(["010000001"] * 2, dtype=text), "RHAD_NUM": pd.array(["1", "2"], dtype=text),
            "NIR_ANO_17": nir, **entry,
        }),
    }  # fmt: skip


@pytest.mark.parametrize("disambiguate", [True, False])
def test_extractors_attribute_mco_ssr_had_by_sex_and_age(backend, disambiguate):
    from snds_algos.events import hospital_diagnoses

    report = Report()
    out = hospital_diagnoses(
        pmsi_tables(backend), positions=["DP"], disambiguate=disambiguate, report=report
    )
    got = sorted((r["group_id"], r["patient_id"]) for r in rows(out))
    expected = [
        ("HAD:010000001:1:2020", "GIRL"),
        ("MCO:010000001:1:2020", "BOY"),
        ("MCO:010000001:2:2020", "GIRL"),
        ("SSR:010000001:1:2020", "BOY"),
    ]
    assert got == (expected if disambiguate else [])
    counts = report.to_pandas().set_index(["table", "step"])["rows_removed"].to_dict()
    counts.update(report.notes_pandas().set_index(["table", "step"])["rows_counted"].to_dict())
    for table, resolved in (("T_MCOaaC", 2), ("T_SSRaaC", 1), ("T_HADaaC", 1)):
        assert counts[(table, "identity:attributed_by_sex_age")] == (
            resolved if disambiguate else 0
        )
        assert counts[(table, "identity:ambiguous")] == (2 - resolved if disambiguate else 2)


def test_cli_run_switches_the_disambiguation_off(capsys):
    from snds_algos.cli import main

    def attributed_by_sex_age(*options):
        argv = ["run", "diabetes", "--year", "2020", "--persons", "2000", *options]
        assert main(argv) == 0
        lines = [
            line.strip()
            for line in capsys.readouterr().out.splitlines()
            if "T_MCOaaC: identity:attributed_by_sex_age:" in line
        ]
        assert len(lines) == 1, lines
        # "T_MCOaaC: identity:attributed_by_sex_age: N of M rows (...)"
        return int(lines[0].split(": ")[2].split(" of ")[0])

    assert attributed_by_sex_age() > 0
    assert attributed_by_sex_age("--no-disambiguation") == 0
