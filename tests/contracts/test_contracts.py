"""Spec tests of the table contracts: normalisation and validation on both backends."""

import datetime as dt

import pandas as pd
import pytest

from snds_algos.contracts import get_contract, normalize, table_names, validate
from snds_algos.contracts.dtypes import PANDAS_DTYPES
from snds_algos.errors import ContractError
from tests.helpers import rows

D = dt.date
CONTRACT_TABLES = table_names()
TABLES_WITH_DATES = [
    t for t in CONTRACT_TABLES if any(c.type == "date" for c in get_contract(t).columns)
]


def test_every_table_of_the_issue_has_a_contract():
    expected = {
        "IR_BEN_R",
        "ER_PRS_F",
        "ER_PHA_F",
        "ER_CAM_F",
        "ER_BIO_F",
        "ER_UCD_F",
        "ER_ETE_F",
        "IR_IMB_R",
        "IR_PHA_R",
        "T_MCOaaB",
        "T_MCOaaC",
        "T_MCOaaD",
        "T_MCOaaUM",
        "T_MCOaaA",
        "T_MCOaaE",
        "T_SSRaaB",
        "T_SSRaaC",
        "T_SSRaaD",
        "T_HADaaB",
        "T_HADaaC",
        "T_HADaaD",
        "T_RIPaaC",
    }
    assert expected <= set(CONTRACT_TABLES)


def test_identifiers_and_codes_are_strings_dates_are_dates():
    mco_b = get_contract("T_MCOaaB")
    assert mco_b["ETA_NUM"].type == "string" and mco_b["ETA_NUM"].zero_pad == 9
    assert mco_b["RSA_NUM"].type == "string"
    assert get_contract("T_MCOaaC")["NAI_RET"].type == "code"
    assert get_contract("T_MCOaaC")["NIR_RET"].type == "code"
    assert get_contract("ER_PRS_F")["DPN_QLF"].type == "code"
    assert get_contract("ER_PHA_F")["PHA_PRS_C13"].type == "string"
    assert get_contract("T_MCOaaC")["EXE_SOI_DTD"].type == "date"


def test_normalize_raw_export_on_both_backends(backend):
    raw = backend.frame(
        pd.DataFrame(
            {
                "ETA_NUM": ["10008407", "600100093"],
                "RSA_NUM": ["0000000042", "43"],
                "NAI_RET": ["0", "01"],
                "EXE_SOI_DTD": ["15MAR2019:00:00:00", "01JAN1600:00:00:00"],
                "EXE_SOI_DTF": ["2019-03-20", None],
                "SOR_MOI": ["03", "4"],
            }
        )
    )
    out = normalize(raw, "T_MCO19C")
    assert rows(out, ["RSA_NUM"]) == [
        {
            "ETA_NUM": "10008407",
            "RSA_NUM": "0000000042",
            "NAI_RET": "0",
            "EXE_SOI_DTD": D(2019, 3, 15),
            "EXE_SOI_DTF": D(2019, 3, 20),
            "SOR_MOI": 3,
        },
        {
            "ETA_NUM": "600100093",
            "RSA_NUM": "43",
            "NAI_RET": "1",
            "EXE_SOI_DTD": D(1600, 1, 1),
            "EXE_SOI_DTF": None,
            "SOR_MOI": 4,
        },
    ]
    assert validate(out, "T_MCO19C", columns=list(out.columns), data_checks=False) is out


def test_normalize_numbers_to_padded_identifiers_and_canonical_codes(backend):
    raw = backend.frame(
        pd.DataFrame(
            {
                "ETA_NUM": pd.array([10008407, 600100093], dtype="Int64"),
                "PHA_CIP_C13": pd.array([3400930000001, None], dtype="Int64"),
                "PHA_ATC_C07": ["A10BA02", "A10BX06"],
            }
        )
    )
    got = rows(normalize(raw, "IR_PHA_R"), ["PHA_ATC_C07"])
    assert [r["PHA_CIP_C13"] for r in got] == ["3400930000001", None]
    mco = backend.frame(
        pd.DataFrame(
            {"ETA_NUM": pd.array([10008407], dtype="Int64"), "GHS_NUM": ["9999"], "SEJ_TYP": ["B"]}
        )
    )
    assert rows(normalize(mco, "T_MCO17B")) == [
        {"ETA_NUM": "010008407", "GHS_NUM": 9999, "SEJ_TYP": "B"}
    ]


def test_normalize_codes_from_integers_and_booleans(backend):
    raw = backend.frame(
        pd.DataFrame(
            {
                "DPN_QLF": pd.array([71, 0, None], dtype="Int64"),
                "PRS_NAT_REF": ["1111", "0071", None],
                "BEN_RNG_GEM": ["1", "02", "3"],
            }
        )
    )
    out = normalize(raw, "ER_PRS_F")
    assert rows(out) == [
        {"DPN_QLF": "71", "PRS_NAT_REF": "1111", "BEN_RNG_GEM": "1"},
        {"DPN_QLF": "0", "PRS_NAT_REF": "71", "BEN_RNG_GEM": "2"},
        {"DPN_QLF": None, "PRS_NAT_REF": None, "BEN_RNG_GEM": "3"},
    ]


def _collect_error(backend, frame):
    """Trigger the error: pandas raises at once, DuckDB and Spark at the first action."""
    if backend.name != "pandas":
        backend.collect(frame)
    return frame


def test_unparseable_date_names_table_column_and_values(backend):
    raw = backend.frame(
        pd.DataFrame(
            {"BEN_NIR_PSA": ["A" * 17] * 3, "EXE_SOI_DTD": ["2019-02-30", "2019-03-01", "hier"]}
        )
    )
    if backend.name == "pandas":
        with pytest.raises(ContractError, match=r"ER_PRS_F\.EXE_SOI_DTD: unparseable date") as err:
            normalize(raw, "ER_PRS_F")
        assert err.value.values == ["2019-02-30", "hier"]
        assert (err.value.table, err.value.column) == ("ER_PRS_F", "EXE_SOI_DTD")
    else:
        out = normalize(raw, "ER_PRS_F")  # lazy: nothing raised yet
        with pytest.raises(
            Exception,
            match=r"ER_PRS_F\.EXE_SOI_DTD: unparseable date.*offending value: '2019-02-30'",
        ):
            backend.collect(out)


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_missing_required_column_is_named(backend, table):
    contract = get_contract(table)
    required = contract.required
    columns = [*required[1:], "NOT_IN_CONTRACT"]  # DuckDB relations need one column
    frame = backend.frame(
        pd.DataFrame({c: pd.Series([], dtype="string[pyarrow]") for c in columns})
    )
    with pytest.raises(
        ContractError, match=rf"{table}\.{required[0]}: required column\(s\) missing"
    ) as err:
        validate(frame, table)
    assert err.value.column == required[0]


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_wrong_type_is_named_with_values(backend, table):
    contract = get_contract(table)
    date_cols = [c.name for c in contract.columns if c.type == "date" and c.required]
    target = date_cols[0] if date_cols else contract.required[0]
    spec = contract[target]
    data = {}
    for name in contract.required:
        s = contract[name]
        data[name] = pd.Series(pd.array([None], dtype=PANDAS_DTYPES[s.type]))
    # a wrong type: floats where a date or a string is expected
    wrong = pd.Series(pd.array([1.5], dtype="Float64"))
    data[target] = wrong
    frame = backend.frame(pd.DataFrame(data))
    with pytest.raises(
        ContractError, match=rf"{table}\.{target}: wrong type: expected {spec.type}"
    ) as err:
        validate(frame, table, data_checks=False)
    if backend.name == "pandas":
        assert err.value.values == [1.5]


@pytest.mark.parametrize("table", TABLES_WITH_DATES)
def test_unparseable_date_for_every_contract(backend, table):
    contract = get_contract(table)
    date_col = next(c.name for c in contract.columns if c.type == "date")
    frame = backend.frame(pd.DataFrame({date_col: ["2020-01-01", "31/02/2020", None]}))
    message = rf"{table}\.{date_col}: unparseable date"
    with pytest.raises(Exception, match=message):
        _collect_error(backend, normalize(frame, table))


def test_data_checks_report_bad_codes_on_both_backends(backend):
    frame = backend.frame(pd.DataFrame({"MED_MTF_COD": ["E11", "diabete", None, "E 11"]}))
    out = normalize(frame, "IR_IMB_R")
    if backend.name != "pandas":
        validate(out, "IR_IMB_R", columns=["MED_MTF_COD"])  # schema only by default (lazy)
    with pytest.raises(ContractError, match=r"IR_IMB_R\.MED_MTF_COD: values do not match") as err:
        validate(out, "IR_IMB_R", columns=["MED_MTF_COD"], data_checks=True)
    # codes are trimmed and upper-cased on every backend before the check (issue 17)
    assert sorted(err.value.values) == ["DIABETE", "E 11"]


def test_non_nullable_columns_are_checked(backend):
    frame = backend.frame(pd.DataFrame({"PHA_CIP_C13": ["3400930000001", None]}))
    with pytest.raises(ContractError, match=r"IR_PHA_R\.PHA_CIP_C13: null values"):
        validate(
            normalize(frame, "IR_PHA_R"), "IR_PHA_R", columns=["PHA_CIP_C13"], data_checks=True
        )


def test_sentinel_dates_stay_recognisable(backend):
    frame = backend.frame(pd.DataFrame({"IMB_ALD_DTF": ["01011600", "31122099", "2021-06-30"]}))
    out = rows(normalize(frame, "IR_IMB_R"))
    assert [r["IMB_ALD_DTF"] for r in out] == [D(1600, 1, 1), D(2099, 12, 31), D(2021, 6, 30)]
    assert get_contract("IR_IMB_R")["IMB_ALD_DTF"].sentinels == ("1600-01-01", "2099-12-31")


@pytest.mark.spark
def test_pandera_spark_schema_accepts_a_normalised_frame(spark):
    from pandera.config import ValidationDepth, config_context

    from snds_algos.contracts import spark_schema

    frame = normalize(
        spark.createDataFrame(pd.DataFrame({"MED_MTF_COD": ["E11"], "IMB_ETM_NAT": ["41"]})),
        "IR_IMB_R",
    )
    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        out = spark_schema("IR_IMB_R", ["MED_MTF_COD", "IMB_ETM_NAT"]).validate(frame)
    assert dict(out.pandera.errors) == {}


@pytest.mark.spark
def test_spark_code_canonicalisation_matches_pandas_on_edge_cases(spark):
    """Spark rewrites only the codes that can change: the result is pandas' on every value."""
    values = [
        "1", "01", " 1 ", "1 ", " 1", "true", "FALSE", " True ", "tRuE", "falsey", "t", "f",
        "1.0", "1.", "10.00", "1.5", "+5", "-05", "-0", "+0", "0", "00", "0.0", "000", "0071",
        "A10", "E11", "F32", "T90", "", " ", "+", "-", ".", "0 ", "E11.0",
        "1e3", None,
    ]  # fmt: skip
    raw = pd.DataFrame({"BEN_RNG_GEM": pd.array(values, dtype="string[pyarrow]")})
    expected = normalize(raw, "ER_PRS_F")["BEN_RNG_GEM"].astype(object)
    expected = [None if pd.isna(v) else v for v in expected]
    got = normalize(spark.createDataFrame(raw.astype(object)), "ER_PRS_F").collect()
    assert [r["BEN_RNG_GEM"] for r in got] == expected
