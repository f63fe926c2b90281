"""Every rule and boundary of the diabetes definition (domain notes §5.1), on events,
on both backends. The extraction of those events from raw tables (regularisation,
information lines, unit-level diagnoses, patient attribution) is tested with the events
extractors and end to end in tests/algorithms/."""

import datetime as dt
from importlib import resources

import pandas as pd
import pytest

from snds_algos.cases import identify, load_definition
from snds_algos.events import events_from_records
from tests.helpers import rows

D = dt.date
N = 2020
DEF_PATH = resources.files("snds_algos.algorithms") / "diabetes" / "definition.yaml"


def drug(pid, day, atc="A10BA02", large=False):
    return dict(
        patient_id=pid,
        category="drug_dispensing",
        group_id=atc,
        value=atc,
        weight=1.0,
        start=day,
        end=None,
        source="ER_PHA_F",
        large_pack=large,
        position=None,
        level=None,
    )


def ald(pid, code, nature, start, end=None):
    return dict(
        patient_id=pid,
        category="ald",
        group_id=nature,
        value=code,
        weight=None,
        start=start,
        end=end,
        source="IR_IMB_R",
        large_pack=None,
        position=None,
        level=None,
    )


def dgn(pid, stay, code, position, end, level="stay"):
    return dict(
        patient_id=pid,
        category="hospital_diagnosis",
        group_id=stay,
        value=code,
        weight=None,
        start=end - dt.timedelta(days=3),
        end=end,
        source="T_MCOaaB",
        large_pack=None,
        position=position,
        level=level,
    )


def events(backend, records):
    """``records`` as an events frame of the backend under test."""
    return backend.frame(events_from_records(records))


def run(backend, records, **params):
    definition = (
        load_definition(DEF_PATH).with_parameters(**params) if params else load_definition(DEF_PATH)
    )
    return {
        r["patient_id"]: r
        for r in rows(identify(definition, events(backend, records), N), ["patient_id"])
    }


def test_three_distinct_dates_in_one_year_but_not_two(backend):
    out = run(
        backend,
        [
            drug("THREE", D(N, 1, 5)),
            drug("THREE", D(N, 4, 5)),
            drug("THREE", D(N, 9, 5)),
            drug("TWO", D(N, 1, 5)),
            drug("TWO", D(N, 4, 5)),
        ],
    )
    assert out["THREE"]["case"] and out["THREE"]["drugs"]
    assert out["THREE"]["drugs_date"] == D(N, 9, 5)  # the date the third dispensing is reached
    assert "TWO" not in out


def test_two_dates_suffice_with_a_large_pack(backend):
    out = run(
        backend,
        [
            drug("GC", D(N, 1, 5), large=True),
            drug("GC", D(N, 6, 5)),
            drug("GC_ONE_DATE", D(N, 1, 5), large=True),
            drug("GC_ONE_DATE", D(N, 1, 5)),
        ],
    )
    assert out["GC"]["case"] and out["GC"]["drugs_date"] == D(N, 6, 5)
    assert "GC_ONE_DATE" not in out


def test_two_dispensings_on_one_day_count_as_one_date(backend):
    out = run(
        backend,
        [
            drug("SAMEDAY", D(N, 1, 5)),
            drug("SAMEDAY", D(N, 1, 5), "A10BH01"),
            drug("SAMEDAY", D(N, 3, 5)),
        ],
    )
    assert "SAMEDAY" not in out


def test_benfluorex_alone_does_not_count(backend):
    out = run(
        backend,
        [drug("BENF", D(N, m, 1), "A10BX06") for m in (1, 4, 7, 10)]
        + [
            drug("MIXED", D(N, 1, 1), "A10BX06"),
            drug("MIXED", D(N, 2, 1)),
            drug("MIXED", D(N, 3, 1)),
        ],
    )
    assert "BENF" not in out and "MIXED" not in out


def test_years_n_and_n_minus_1_are_counted_separately(backend):
    out = run(
        backend,
        [
            drug("SPLIT", D(N - 1, 11, 1)),
            drug("SPLIT", D(N - 1, 12, 1)),
            drug("SPLIT", D(N, 1, 3)),
            drug("PREV", D(N - 1, 2, 1)),
            drug("PREV", D(N - 1, 5, 1)),
            drug("PREV", D(N - 1, 8, 1)),
            drug("OLD", D(N - 2, 2, 1)),
            drug("OLD", D(N - 2, 5, 1)),
            drug("OLD", D(N - 2, 8, 1)),
            drug("NEXT", D(N + 1, 2, 1)),
            drug("NEXT", D(N + 1, 5, 1)),
            drug("NEXT", D(N + 1, 8, 1)),
        ],
    )
    assert "SPLIT" not in out  # 2 dates in N-1 and 1 in N: neither year reaches 3
    assert out["PREV"]["case"] and out["PREV"]["drugs_date"] == D(N - 1, 8, 1)
    assert "OLD" not in out and "NEXT" not in out


def test_ald_active_in_year_by_dates_and_nature(backend):
    out = run(
        backend,
        [
            ald("OPEN", "E11", "41", D(2010, 1, 1)),  # open-ended (end null)
            ald("ENDS_IN_N", "E109", "43", D(2015, 1, 1), D(N, 1, 1)),
            ald("ENDED_BEFORE", "E11", "41", D(2015, 1, 1), D(N - 1, 12, 31)),
            ald("STARTS_AFTER", "E11", "41", D(N + 1, 1, 1)),
            ald("STARTS_LAST_DAY", "E14", "45", D(N, 12, 31)),
            ald("WRONG_NATURE", "E11", "11", D(2015, 1, 1)),
            ald("OTHER_DISEASE", "C50", "41", D(2015, 1, 1)),
        ],
    )
    assert set(out) == {"OPEN", "ENDS_IN_N", "STARTS_LAST_DAY"}
    assert all(out[p]["ald"] and out[p]["case"] for p in out)


def test_ald_nature_policy_is_a_parameter(backend):
    records = [
        ald("NAT11", "E11", "11", D(2015, 1, 1)),
        ald("NAT41", "E11", "41", D(2015, 1, 1)),
        ald("NAT99", "E11", "99", D(2015, 1, 1)),
    ]
    out = run(backend, records, ald_natures=None, ald_excluded_natures=["11", "12", "13"])
    assert set(out) == {"NAT41", "NAT99"}


def test_hospital_principal_or_related_diagnosis_at_stay_or_unit_level(backend):
    out = run(
        backend,
        [
            dgn("DP", "s1", "E119", "DP", D(N, 3, 1)),
            dgn("DR_UNIT", "s2", "E102", "DR", D(N - 1, 3, 1), level="unit"),
            dgn("DA_ONLY", "s3", "E11", "DA", D(N, 3, 1)),
            dgn("N_MINUS_2", "s4", "E11", "DP", D(N - 2, 12, 31)),
            dgn("NEXT_YEAR", "s5", "E11", "DP", D(N + 1, 1, 1)),
        ],
    )
    assert set(out) == {"DP", "DR_UNIT"}
    assert out["DR_UNIT"]["hospital"] and out["DR_UNIT"]["hospital_date"] == D(N - 1, 3, 1)


def test_complication_needs_a_diabetes_associated_diagnosis_in_the_same_stay(backend):
    out = run(
        backend,
        [
            dgn("WITH_DA", "s1", "H360", "DP", D(N, 3, 1)),
            dgn("WITH_DA", "s1", "E112", "DA", D(N, 3, 1)),
            dgn("NO_DA", "s2", "H360", "DP", D(N, 3, 1)),
            dgn("NO_DA", "s2", "I10", "DA", D(N, 3, 1)),
            dgn("OTHER_STAY", "s3", "L97", "DP", D(N, 3, 1)),
            dgn("OTHER_STAY", "s4", "E11", "DA", D(N, 5, 1)),
            dgn("UNIT_DR", "s5", "N083", "DR", D(N, 3, 1), level="unit"),
            dgn("UNIT_DR", "s5", "E14", "DA", D(N, 3, 1)),
        ],
    )
    assert set(out) == {"WITH_DA", "UNIT_DR"}
    assert out["WITH_DA"]["hospital_complication"] and not out["WITH_DA"]["hospital"]


def test_sglt2_monotherapy_exclusion_is_off_by_default(backend):
    records = [drug("SGLT2", D(N, m, 1), "A10BK01") for m in (1, 4, 7)] + [
        drug("MIX", D(N, 1, 1), "A10BK01"),
        drug("MIX", D(N, 4, 1), "A10BA02"),
        drug("MIX", D(N, 7, 1), "A10BK01"),
    ]
    assert set(run(backend, records)) == {"SGLT2", "MIX"}
    out = run(backend, records, exclude_sglt2_monotherapy=True)
    assert not out["SGLT2"]["case"] and out["SGLT2"]["drugs"] and out["SGLT2"]["sglt2_monotherapy"]
    assert out["MIX"]["case"]


def test_population_gets_a_row_per_person(backend):
    definition = load_definition(DEF_PATH)
    population = backend.frame(
        pd.DataFrame({"patient_id": pd.array(["A", "B"], dtype="string[pyarrow]")})
    )
    ev = events(backend, [ald("A", "E11", "41", D(2015, 1, 1))])
    out = rows(identify(definition, ev, N, population=population), ["patient_id"])
    assert [(r["patient_id"], r["case"], r["ald"], r["drugs"]) for r in out] == [
        ("A", True, True, False),
        ("B", False, False, False),
    ]
    assert list(out[0]) == [
        "patient_id",
        "year",
        "drugs",
        "drugs_date",
        "ald",
        "ald_date",
        "hospital",
        "hospital_date",
        "hospital_complication",
        "hospital_complication_date",
        "case",
    ]


def test_unknown_parameter_is_a_clear_error():
    with pytest.raises(TypeError, match="unknown parameter"):
        load_definition(DEF_PATH).with_parameters(nope=1)
