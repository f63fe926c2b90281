"""The generator's drug keys come from the antidiabetic_pathways code list."""

import pytest

from snds_algos.synthetic.config import drug_key_section, make_settings

CODE_LIST = "algorithms/antidiabetic_pathways/codes/antidiabetic_keys.csv"


def test_the_keys_read_from_the_code_list_are_those_the_generator_always_planted():
    section = make_settings(1, 2020, 1).conditions["drug_keys"]["antidiabetic"]
    assert section == {
        "keys": {
            "metformin": ["A10BA02"],
            "sulfonylurea": ["A10BB09"],
            "dpp4": ["A10BH01"],
            "glp1": ["A10BJ05", "A10BJ06"],
            "sglt2": ["A10BK01"],
            "insulin": ["A10AE04", "A10AB05"],
        },
        "combinations": {"A10BD07": ["metformin", "dpp4"]},
        "combination_share": 0.3,
    }


def test_the_longest_matching_code_gives_the_key():
    # A10AE54 (insulin glargine and lixisenatide) is a combination of its own code,
    # A10AE04 falls under A10A (insulin)
    out = drug_key_section(
        {"code_list": CODE_LIST, "drugs": ["A10AE04"], "combinations": ["A10AE54"]}
    )
    assert out["keys"] == {"insulin": ["A10AE04"]}
    assert out["combinations"] == {"A10AE54": ["insulin", "glp1"]}


def test_a_drug_without_a_key_or_with_several_is_an_error_naming_it():
    with pytest.raises(KeyError, match="C09AA05 has no key"):
        drug_key_section({"code_list": CODE_LIST, "drugs": ["C09AA05"]})
    with pytest.raises(ValueError, match=r"A10BD07 supplies keys.*combinations"):
        drug_key_section({"code_list": CODE_LIST, "drugs": ["A10BD07"]})


def test_a_section_without_a_code_list_is_kept_as_written():
    section = {"keys": {"a": ["X"]}, "combinations": {}}
    assert drug_key_section(section) is section
