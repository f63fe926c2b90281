"""The whole cartography (every flag of ``flags.yaml``) against diabetes alone, per engine.

Not a test. Usage (from the repository root)::

    python benchmarks/bench_cartography.py 100000 1000000 [--year 2020]
        [--data /tmp/snds-bench] [--backends duckdb,pandas,spark]

For each size the synthetic generator writes a folder of parquet files (reused when it
exists; years N-1 and N, seed 1, with the CT_IDE / CT_IND tables). Then for each engine
two fresh Python processes (so that each peak memory, the max RSS of its process, is
its own):

* ``cartography``: ``run_cartography(open_source(folder, backend=engine), N)``: the
  population, the events extracted once for every flag, 25 algorithm runs, the structure;
* ``diabetes``: ``snds_algos.get("diabetes").run(open_source(folder, backend=engine),
  year=N)``.

Each result is collected to pandas inside the time; times include reading the files
(not starting the JVM). Printed: times, peak memory, the population, the diabetes
count of each run (the cartography's TOP_FDIABET_IND counts the population only and
reads ALDs of every nature, so it differs from diabetes alone), whether the cartography
tables of every engine are the same, and the ratio cartography / diabetes per engine.
Goal: DuckDB within 3x.
"""

from __future__ import annotations

from pathlib import Path

from _harness import each_size, generated, run_runner, sizes_parser, yes_no

RUNNER = r"""
import hashlib, json, time, warnings
engine, folder, year, what = {engine!r}, {folder!r}, {year}, {what!r}
warnings.simplefilter("ignore")
import snds_algos
from snds_algos.backend import to_pandas
from snds_algos.io import open_source
started = time.perf_counter()
source = open_source(folder, backend=engine, spark=spark if engine == "spark" else None)
if what == "cartography":
    from snds_algos.cartography import run_cartography
    out = to_pandas(run_cartography(source, year))
    rows, diabetes = len(out), int(out["TOP_FDIABET_IND"].sum())
else:
    out = to_pandas(snds_algos.get("diabetes").run(source, year=year))
    rows, diabetes = len(out), int(out["case"].sum())
seconds = time.perf_counter() - started
table = out.sort_values("patient_id").astype(str).to_csv(index=False)
print(json.dumps({{"seconds": seconds, "peak_mb": peak_rss_mb(), "rows": rows,
                  "diabetes": diabetes, "flags": out.shape[1] - 2,
                  "output": hashlib.sha256(table.encode()).hexdigest()}}))
"""


def generate(persons: int, year: int, root: Path) -> Path:
    """The data folder of ``persons`` persons (generated once, then reused)."""
    return generated(root / f"cartography_p{persons}_y{year}", persons, f"{year - 1}-{year}")


def run_engine(engine: str, folder: Path, year: int) -> dict:
    """The cartography and diabetes alone on ``engine``, each in a fresh process."""
    return {
        what: run_runner(RUNNER, engine, folder, year=year, what=what)
        for what in ("cartography", "diabetes")
    }


def show(engine: str, r: dict) -> str:
    c, d = r["cartography"], r["diabetes"]
    return (
        f"  {engine:<7} cartography {c['seconds']:7.1f} s  peak {c['peak_mb']:6.0f} MB  "
        f"({c['flags']} flags, population {c['rows']}, diabetes {c['diabetes']})\n"
        f"  {'':<7} diabetes    {d['seconds']:7.1f} s  peak {d['peak_mb']:6.0f} MB  "
        f"({d['diabetes']} cases)\n"
        f"  {'':<7} ratio cartography / diabetes: {c['seconds'] / d['seconds']:.2f}x"
    )


def main() -> None:
    parser = sizes_parser(
        __doc__.splitlines()[0],
        sizes=[100_000, 1_000_000],
        data="/tmp/snds-bench",
        backends="duckdb,pandas,spark",
    )
    parser.add_argument("--year", type=int, default=2020)
    args = parser.parse_args()

    def header(persons: int) -> str:
        return f"== {persons} persons, reference year {args.year}"

    def folder_of(persons: int, root: Path) -> Path:
        return generate(persons, args.year, root)

    for results in each_size(args, header, folder_of, run_engine, show, args.year):
        outputs = {e: r["cartography"]["output"] for e, r in results.items()}
        if len(outputs) > 1:
            same = len(set(outputs.values())) == 1
            print(f"  same cartography table on {', '.join(outputs)}:", yes_no(same))


if __name__ == "__main__":
    main()
