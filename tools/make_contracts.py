"""Generate the table contracts (snds_algos/contracts/tables/*.yaml) from the public
SNDS schema (Frictionless Table Schema JSON published by the Health Data Hub,
repository "synthetic-snds", Etalab Licence Ouverte 2.0).

Run once, by a developer, from the repository root:

    python tools/make_contracts.py ../shared/reference/synthetic-snds/schemas \
        ../shared/reference/synthetic-snds/nomenclatures [TABLE ...]

With table names, only those contracts are (re)written (the others may have been edited
by hand since).

The YAML files it writes are the source of truth afterwards: edit them by hand and
review them like code. The normalisation rules applied here are documented in
docs/user_guide/contracts.md: identifiers, FINESS numbers and codes become strings,
integer codes (with a nomenclature) become canonical decimal strings, *_RET quality
codes and boolean flags become string codes, SAS dates and datetimes become dates.
"""

from __future__ import annotations

import glob
import json
import os
import sys

import yaml

DCIR_KEYS = [
    "FLX_DIS_DTD",
    "FLX_TRT_DTD",
    "FLX_EMT_TYP",
    "FLX_EMT_NUM",
    "FLX_EMT_ORD",
    "ORG_CLE_NUM",
    "DCT_ORD_NUM",
    "PRS_ORD_NUM",
    "REM_TYP_AFF",
]
RET = ["NIR_RET", "NAI_RET", "SEX_RET", "SEJ_RET", "FHO_RET", "PMS_RET", "DAT_RET"]
PMSI_LINK = ["NIR_ANO_17", "EXE_SOI_DTD", "EXE_SOI_DTF"]

# table -> (product, columns the library uses)
TABLES: dict[str, tuple[str, list[str]]] = {
    "IR_BEN_R": (
        "Référentiel bénéficiaires",
        [
            "BEN_NIR_PSA",
            "BEN_RNG_GEM",
            "BEN_SEX_COD",
            "BEN_NAI_ANN",
            "BEN_NAI_MOI",
            "BEN_DCD_DTE",
            "BEN_RES_DPT",
        ],
    ),
    "ER_PRS_F": (
        "DCIR",
        [
            *DCIR_KEYS,
            "BEN_NIR_PSA",
            "BEN_RNG_GEM",
            "EXE_SOI_DTD",
            "EXE_SOI_DTF",
            "PRS_NAT_REF",
            "DPN_QLF",
            "PRS_DPN_QLP",
            "BSE_PRS_NAT",
            "PSE_SPE_COD",
            "PRS_ACT_QTE",
        ],
    ),
    "ER_PHA_F": ("DCIR", [*DCIR_KEYS, "PHA_PRS_C13", "PHA_ACT_QSN"]),
    "ER_CAM_F": ("DCIR", [*DCIR_KEYS, "CAM_PRS_IDE"]),
    "ER_BIO_F": ("DCIR", [*DCIR_KEYS, "BIO_PRS_IDE", "BIO_ACT_QSN"]),
    "ER_UCD_F": ("DCIR", [*DCIR_KEYS, "UCD_UCD_COD", "UCD_DLV_NBR"]),
    "ER_ETE_F": ("DCIR", [*DCIR_KEYS, "ETE_IND_TAA"]),
    "IR_IMB_R": (
        "ALD",
        ["BEN_NIR_PSA", "BEN_RNG_GEM", "IMB_ALD_DTD", "IMB_ALD_DTF", "IMB_ETM_NAT", "MED_MTF_COD"],
    ),
    "IR_PHA_R": ("Drug referential", ["PHA_CIP_C13", "PHA_ATC_C07", "PHA_CND_TOP"]),
    "T_MCOaaB": (
        "PMSI MCO",
        [
            "ETA_NUM",
            "RSA_NUM",
            "GRG_GHM",
            "SEJ_TYP",
            "GHS_NUM",
            "DGN_PAL",
            "DGN_REL",
            "ENT_MOD",
            "SOR_MOD",
            "SEJ_NBJ",
        ],
    ),
    "T_MCOaaC": ("PMSI MCO", ["ETA_NUM", "RSA_NUM", *PMSI_LINK, *RET]),
    "T_MCOaaD": ("PMSI MCO", ["ETA_NUM", "RSA_NUM", "ASS_DGN"]),
    "T_MCOaaUM": ("PMSI MCO", ["ETA_NUM", "RSA_NUM", "DGN_PAL", "DGN_REL"]),
    "T_MCOaaA": ("PMSI MCO", ["ETA_NUM", "RSA_NUM", "CDC_ACT", "ENT_DAT_DEL"]),
    "T_MCOaaE": ("PMSI MCO", ["ETA_NUM"]),
    "T_SSRaaB": ("PMSI SSR", ["ETA_NUM", "RHA_NUM", "RHS_NUM", "MOR_PRP", "ETL_AFF"]),
    "T_SSRaaC": ("PMSI SSR", ["ETA_NUM", "RHA_NUM", *PMSI_LINK]),
    "T_SSRaaD": ("PMSI SSR", ["ETA_NUM", "RHA_NUM", "RHS_NUM", "DGN_COD"]),
    "T_HADaaB": ("PMSI HAD", ["ETA_NUM_EPMSI", "RHAD_NUM", "DGN_PAL"]),
    "T_HADaaC": ("PMSI HAD", ["ETA_NUM_EPMSI", "RHAD_NUM", *PMSI_LINK]),
    "T_HADaaD": ("PMSI HAD", ["ETA_NUM_EPMSI", "RHAD_NUM", "DGN_ASS"]),
    "T_RIPaaC": ("PMSI RIM-P", ["ETA_NUM_EPMSI", "RIP_NUM", *PMSI_LINK]),
    "KI_CCI_R": ("CépiDc", ["BEN_IDT_ANO", "BEN_DCD_DTE", "DCD_CIM_COD"]),
    "KI_ECD_R": (
        "CépiDc",
        ["DCD_IDT_ENC", "BEN_IDT_ANO", "BEN_DCD_DTE", "ECD_CAU_RNG", "ECD_CIM_COD"],
    ),
}

# identifiers held as strings; value = width to zero-pad numbers to (0: no padding)
STRING_IDS = {
    "ETA_NUM": 9,
    "ETA_NUM_EPMSI": 9,
    "ETA_NUM_GEO": 9,
    "RSA_NUM": 10,
    "RHA_NUM": 0,
    "RHS_NUM": 0,
    "RHAD_NUM": 0,
    "RIP_NUM": 0,
    "SEJ_NUM": 0,
    "PHA_CIP_C13": 13,
    "PHA_PRS_C13": 13,
    "PHA_PRS_IDE": 7,
    "PHA_CIP_UCD": 13,
    "BIO_PRS_IDE": 4,
    "NUM_DAT_AT": 0,
    "UCD_UCD_COD": 13,
}
NOT_NULL = {
    "BEN_NIR_PSA",
    "EXE_SOI_DTD",
    "ETA_NUM",
    "RSA_NUM",
    "ETA_NUM_EPMSI",
    "RHA_NUM",
    "RHAD_NUM",
    "RIP_NUM",
    "PHA_CIP_C13",
    *DCIR_KEYS,
}
NOT_NULL_EXCEPT = {
    "IR_BEN_R": set(),
    "IR_IMB_R": {"EXE_SOI_DTD"},
    "T_MCOaaC": {"EXE_SOI_DTD"},
    "T_SSRaaC": {"EXE_SOI_DTD"},
    "T_HADaaC": {"EXE_SOI_DTD"},
    "T_RIPaaC": {"EXE_SOI_DTD"},
}
ICD10 = r"^[A-Z][0-9][0-9A-Z+*]{0,5}$"
PATTERNS = {
    "BEN_NIR_PSA": r"^.{17}$",
    "DGN_PAL": ICD10,
    "DGN_REL": ICD10,
    "ASS_DGN": ICD10,
    "DGN_COD": ICD10,
    "DGN_ASS": ICD10,
    "MED_MTF_COD": ICD10,
    "MOR_PRP": ICD10,
    "ETL_AFF": ICD10,
    "DCD_CIM_COD": ICD10,
    "ECD_CIM_COD": ICD10,
    "PHA_ATC_C07": r"^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$",
    "PHA_CIP_C13": r"^[0-9]{13}$",
    "PHA_PRS_C13": r"^[0-9]{13}$",
    "ETA_NUM": r"^[0-9][0-9AB][0-9]{6,7}$",
    "CDC_ACT": r"^[A-Z]{4}[0-9]{3}$",
    "CAM_PRS_IDE": r"^[A-Z]{4}[0-9]{3}$",
    "GRG_GHM": r"^[0-9]{2}[A-Z][0-9]{2}[A-Z0-9]$",
}
ALLOWED = {"SEJ_TYP": ["A", "B", "."]}
# 0/1 flags typed integer (not boolean) in some tables: string codes like the others
FLAGS = {"BEN_IDT_TOP", "DCD_IDT_TOP"}


def _text(value: str) -> str:
    """A schema description with its stray cp1252 apostrophes (U+0092) repaired."""
    return value.replace("\x92", "’").strip()


def contract_type(field: dict) -> tuple[str, int]:
    name, typ, fmt = field["name"], field["type"], field.get("format", "default")
    nomen = field.get("nomenclature") or "-"
    if name in STRING_IDS:
        return "string", STRING_IDS[name]
    if name.endswith("_RET") or typ == "boolean" or name in FLAGS:
        return "code", 0
    if name == "BEN_RNG_GEM" or (typ == "integer" and nomen not in ("-", "")):
        return "code", 0
    if typ == "string" or typ == "yearmonth":
        return "string", 0
    if typ == "date" and fmt == "%m":
        return "integer", 0
    if typ in ("date", "datetime"):
        return "date", 0
    if typ in ("integer", "year"):
        return "integer", 0
    if typ == "number":
        return "number", 0
    raise ValueError(f"unknown type {typ} for {name}")


def main(schemas: str, nomenclatures: str, only: list[str] | None = None) -> None:
    files = {}
    for root in (schemas, nomenclatures):
        for path in glob.glob(os.path.join(root, "**", "*.json"), recursive=True):
            files[os.path.basename(path)[:-5]] = path
    out_dir = os.path.join("snds_algos", "contracts", "tables")
    os.makedirs(out_dir, exist_ok=True)
    for table, (product, used) in TABLES.items():
        if only and table not in only:
            continue
        with open(files[table], encoding="utf-8") as fh:
            schema = json.load(fh)
        names = [f["name"] for f in schema["fields"]]
        missing = [c for c in used if c not in names]
        if missing:
            raise SystemExit(f"{table}: used columns missing from the schema: {missing}")
        columns = []
        for field in schema["fields"]:
            name = field["name"]
            if name != name.upper():  # lower-case duplicates in HAD C (format, vid_hosp_for)
                continue
            typ, pad = contract_type(field)
            col: dict = {"name": name, "type": typ}
            if name in used:
                col["required"] = True
            if (
                name in NOT_NULL
                and table not in ("IR_IMB_R",)
                and name not in NOT_NULL_EXCEPT.get(table, set())
            ):
                col["nullable"] = False
            if pad:
                col["zero_pad"] = pad
            if name in PATTERNS:
                col["pattern"] = PATTERNS[name]
            if name in ALLOWED:
                col["allowed"] = ALLOWED[name]
            raw_format = field.get("format", "default")
            if field["type"] == "datetime" or raw_format not in ("default", "%m"):
                col["raw_format"] = raw_format
            if name in ("BEN_DCD_DTE", "IMB_ALD_DTF", "IMB_ALD_DTD"):
                col["sentinels"] = (
                    ["1600-01-01", "2099-12-31"] if name == "IMB_ALD_DTF" else ["1600-01-01"]
                )
            desc = _text(field.get("description") or "")
            if desc:
                col["description"] = desc
            columns.append(col)
        key = schema.get("primaryKey")
        if isinstance(key, str):
            key = [key]
        doc = {
            "table": table,
            "title": _text(schema.get("title", table)),
            "product": product,
            "yearly": table.startswith("T_") and "aa" in table,
            "key": key or (DCIR_KEYS if table.startswith("ER_") else []),
            "source": "Health Data Hub, synthetic-snds schema (Etalab Licence Ouverte 2.0); "
            "types normalised by snds-algos (tools/make_contracts.py)",
            "columns": columns,
        }
        path = os.path.join(out_dir, f"{table}.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(
                f"# Contract of {table}. Generated by tools/make_contracts.py, then reviewed by hand.\n"
            )
            yaml.safe_dump(
                doc, fh, allow_unicode=True, sort_keys=False, width=100, default_flow_style=None
            )
        print(path, len(columns), "columns,", len(used), "required")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
