"""Definition mistakes are caught before run time, naming the file and the field: by the
loader, by ``snds-algos check`` and by the docs page (issue #15)."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from snds_algos.cases import DefinitionError, load_definition
from snds_algos.cases.schema import definition_problems, definition_schema, reference_tables
from snds_algos.codelists import CodeListError
from snds_algos.registry import run_checks
from snds_algos.registry.model import load_folder
from snds_algos.registry.render import algorithm_page

SOURCE = Path(str(resources.files("snds_algos.algorithms") / "parkinson"))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the parkinson folder (with a test file) to break, checked on its own."""
    folder = tmp_path / "algorithms" / "parkinson"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    tests = tmp_path / "tests" / "algorithms"
    tests.mkdir(parents=True)
    (tests / "test_parkinson.py").write_text("def test_x(backend):\n    backend.reuse()\n")
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(folder: Path) -> list[str]:
    root = folder.parent.parent
    problems = run_checks(
        folder.parent,
        tests_dir=root / "tests",
        released=root / "released.json",
        entry_points=False,
    )
    return [str(p) for p in problems]


def test_the_copy_passes_every_check(copy):
    assert check(copy) == []
    assert load_definition(copy / "definition.yaml").id == "parkinson"


def test_unknown_field_names_file_criterion_and_closest_field(copy):
    edit(copy / "definition.yaml", "    min_dates: 3\n", "    min_date: 3\n")
    with pytest.raises(DefinitionError) as err:
        load_definition(copy / "definition.yaml")
    message = str(err.value)
    assert str(copy / "definition.yaml") in message
    assert "criteria.drugs.min_date: unknown field; did you mean 'min_dates'?" in message
    problems = check(copy)
    assert any(
        "[definition]" in p
        and str(copy / "definition.yaml") in p
        and "criteria.drugs.min_date" in p
        and "'min_dates'" in p
        for p in problems
    ), problems
    with pytest.raises(DefinitionError, match=r"criteria\.drugs\.min_date"):
        algorithm_page(load_folder(copy))  # the docs page does not build either


def test_wrong_type_names_the_field_and_the_expected_type(copy):
    edit(copy / "definition.yaml", "years: [0, -1, -2, -3, -4]", "years: 0, -1")
    with pytest.raises(DefinitionError) as err:
        load_definition(copy / "definition.yaml")
    assert str(copy / "definition.yaml") in str(err.value)
    assert (
        "criteria.hospital.years: must be a list of integers, not the string '0, -1' "
        "(write [0, -1])"
    ) in str(err.value)
    assert any("criteria.hospital.years" in p for p in check(copy))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    min_dates: 3\n", "    min_dates: 0\n", "criteria.drugs.min_dates: must be >= 1"),
        ("    active_in_year: 0\n", "    active_in_year: '0'\n", "must be an integer"),
        ("    positions: [DP, DR]\n", "    positions: [DP, XX]\n", "offending items: ['XX']"),
        ("events: ald\n", "events: alds\n", "criteria.ald.events: must be one of"),
        (
            "target: ald.natures",
            "target: ald.nature",
            "unknown field 'nature'; did you mean 'natures'?",
        ),
        (
            "target: ald.natures",
            "target: ald.years",
            "criteria.ald.years does not apply to events ald",
        ),
        (
            "  any: [ald, hospital, drugs]",
            "  any: [ald, hospital, drug]",
            "unknown criterion 'drug'; did you mean 'drugs'?",
        ),
        (
            "    codes: dopaminergic_atc\n",
            "    codes: dopaminergic\n",
            "code list 'dopaminergic' not found",
        ),
        (
            "    natures: ['41', '43', '45']\n",
            "    natures: ['41', '43', '45']\n    years: [0]\n",
            "criteria.ald.years: does not apply to events ald",
        ),
    ],
)
def test_other_mistakes_name_the_field(copy, old, new, expected):
    edit(copy / "definition.yaml", old, new)
    with pytest.raises(DefinitionError) as err:
        load_definition(copy / "definition.yaml")
    assert expected in str(err.value)
    assert str(copy / "definition.yaml") in str(err.value)


def test_code_list_header_typo_names_the_file_and_the_columns_found(copy):
    csv_file = copy / "codes" / "parkinson_icd10.csv"
    edit(csv_file, "code,label", "cdoe,label")
    with pytest.raises(CodeListError) as err:
        load_definition(copy / "definition.yaml")
    assert str(csv_file) in str(err.value)
    assert "no column 'code' (columns found: cdoe, label; is 'cdoe' a typo of it?)" in str(
        err.value
    )
    problems = check(copy)
    assert any(str(csv_file) in p and "columns found: cdoe, label" in p for p in problems), problems


def test_card_parameter_default_differs_from_the_definition(copy):
    edit(copy / "card.yaml", "  default: ['41', '43', '45']", "  default: ['41']")
    problems = check(copy)
    assert any(
        str(copy / "card.yaml") in p
        and "parameters.ald_natures.default: ['41'] in the card but ['41', '43', '45']" in p
        for p in problems
    ), problems


def test_card_parameter_unknown_to_the_definition(copy):
    edit(
        copy / "card.yaml",
        "- name: ald_natures\n",
        "- name: min_stays\n  type: integer\n  default: 2\n  description: stays needed\n"
        "- name: ald_natures\n",
    )
    problems = check(copy)
    assert any(
        str(copy / "card.yaml") in p and "parameters: 'min_stays' is not a parameter" in p
        for p in problems
    ), problems


def test_definition_parameter_missing_from_the_card(copy):
    edit(
        copy / "definition.yaml",
        "criteria:\n",
        "  drug_dates:\n    default: 3\n    target: drugs.min_dates\n    description: d\ncriteria:\n",
    )
    problems = check(copy)
    assert any(
        "parameters: 'drug_dates' of definition.yaml is not declared in the card" in p
        for p in problems
    ), problems


def test_card_match_rule_differs_from_the_criterion(copy):
    edit(
        copy / "card.yaml",
        "  match: prefix\n  description: dopaminergic",
        "  match: exact\n  description: dopaminergic",
    )
    problems = check(copy)
    assert any(
        str(copy / "card.yaml") in p
        and "code_lists.dopaminergic_atc.match: 'exact' in the card but criteria.drugs" in p
        for p in problems
    ), problems


def test_card_data_lacks_a_table_or_column_the_definition_reads(copy):
    edit(
        copy / "card.yaml",
        "  columns: [PHA_CIP_C13, PHA_ATC_C07, PHA_CND_TOP]",
        "  columns: [PHA_CIP_C13, PHA_ATC_C07]",
    )
    edit(copy / "card.yaml", "- table: IR_IMB_R\n", "- table: IR_IMB_R_UNUSED\n")
    problems = check(copy)
    assert any(
        "data: IR_PHA_R lacks column(s) PHA_CND_TOP read by events drug_dispensing" in p
        for p in problems
    ), problems
    assert any(
        "data: events ald read table IR_IMB_R, which data does not list" in p for p in problems
    ), problems


def test_every_builtin_case_definition_is_valid():
    from snds_algos._yaml import safe_load
    from snds_algos.cases.schema import is_case_definition

    root = Path(str(resources.files("snds_algos.algorithms")))
    checked = 0
    for path in sorted(root.rglob("definition.yaml")):
        doc = safe_load(path.read_text(encoding="utf-8"))
        if is_case_definition(doc):
            assert definition_problems(doc, path, path.parent / "codes") == []
            checked += 1
    assert checked >= 20


def test_the_reference_tables_list_every_field_of_the_schema():
    text = reference_tables()
    schema = definition_schema()
    for section in ("top", "criterion", "parameter"):
        for name in schema[section]:
            assert f"| `{name}` |" in text
    for kind, spec in schema["kinds"].items():
        assert f"| `{kind}` |" in text
        assert ", ".join(f"`{c}`" for c in spec["reads"]) in text


@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_any_one_letter_typo_of_a_field_suggests_that_field(data):
    """Property: a criterion field with one letter dropped or doubled is reported as an
    unknown field, with that field as the suggestion."""
    fields = list(definition_schema()["criterion"])
    field = data.draw(st.sampled_from(fields))
    i = data.draw(st.integers(0, len(field) - 1))
    typo = data.draw(
        st.sampled_from([field[:i] + field[i + 1 :], field[:i] + field[i] + field[i:]])
    )
    assume(typo not in fields)
    doc = {"id": "x", "criteria": {"a": {"events": "ald", typo: 1}}, "case": "a"}
    found = [p for p in definition_problems(doc, "d.yaml") if p.where == f"criteria.a.{typo}"]
    assert len(found) == 1
    assert found[0].file == "d.yaml"
    assert found[0].message == f"unknown field; did you mean {field!r}?"
