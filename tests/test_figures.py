"""Tests for reanalysis.figures: byte-determinism and plot structure; and for the ledger's
figures of a corpus (reanalysis.summary_figures above config `studies_in_full` studies): one
pooled p-value panel drawing every recomputed p, fast at 40,000 p-values, and the panel of
the highest-ranked findings. Their ledgers are drawn at random here; expected counts come
from the ledger with pandas."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
from reanalysis import figures, summary_figures
from reanalysis.findings import findings
from reanalysis.ledger import LEDGER_COLUMNS, read_ledger, write_ledger

CSV = ROOT / "raw" / "matsuoka2025" / "table1_patients.csv"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SPECS = {
    "paired_hba1c": {
        "kind": "paired", "before": "hba1c_before", "after": "hba1c_after",
        "hue": "severity", "id_col": "row_id",
        "labels": {"title": "HbA1c before and after MSC infusion", "y": "HbA1c (%)"},
    },
    "reduction_vs_dose": {
        "kind": "scatter", "x": "dose_million_cells", "y": "hba1c_reduction", "hue": "severity",
        "labels": {"x": "Dose (million cells)", "y": "HbA1c reduction (%-points)"},
    },
    "reduction_vs_months": {
        "kind": "scatter", "x": "months_observed", "y": "hba1c_reduction", "hue": "severity",
        "labels": {"x": "Months observed", "y": "HbA1c reduction (%-points)"},
    },
    "reduction_vs_baseline": {
        "kind": "scatter", "x": "hba1c_before", "y": "hba1c_reduction", "hue": "severity",
        "labels": {"x": "Baseline HbA1c (%)", "y": "HbA1c reduction (%-points)"},
    },
}
EXPECTED = sorted(f"{name}{ext}" for name in SPECS for ext in (".png", ".svg"))


def load_table() -> pd.DataFrame:
    df = pd.read_csv(CSV)
    df["hba1c_reduction"] = df["hba1c_before"] - df["hba1c_after"]
    df["severity"] = np.where(df["hba1c_before"] > 8, "severe", "moderate")
    return df


def render_all(outdir: pathlib.Path) -> list[pathlib.Path]:
    return figures.render_figures(load_table(), SPECS, pathlib.Path(outdir))


def read_all(outdir: pathlib.Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(pathlib.Path(outdir).iterdir())}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    paths = render_all(a)
    render_all(b)
    return paths, read_all(a), read_all(b)


def test_render_returns_png_and_svg_for_every_figure(rendered):
    paths, files_a, _ = rendered
    assert sorted(p.name for p in paths) == EXPECTED
    assert sorted(files_a) == EXPECTED
    # sorted(name) order, png before svg
    assert [p.name for p in paths[:2]] == ["paired_hba1c.png", "paired_hba1c.svg"]


def test_in_process_renders_are_byte_identical(rendered):
    _, files_a, files_b = rendered
    for name in EXPECTED:
        assert files_a[name] == files_b[name], name


def test_outputs_have_no_dates_and_valid_headers(rendered):
    _, files_a, _ = rendered
    for name, data in files_a.items():
        if name.endswith(".png"):
            assert data.startswith(PNG_SIGNATURE), name
            assert b"Software" not in data and b"matplotlib" not in data.lower(), name
        else:
            text = data.decode("utf-8")
            assert not re.search(r"\d{4}-\d{2}-\d{2}", text), name
            assert "Matplotlib v" not in text, name


def test_bytes_identical_across_processes_and_hash_seeds(tmp_path, rendered):
    code = (
        "import pathlib, sys; "
        f"sys.path[:0] = [{str(ROOT / 'tests')!r}]; "
        "import test_figures; test_figures.render_all(pathlib.Path(sys.argv[1]))"
    )
    procs, outdirs = [], []
    for seed in ("0", "12345"):
        outdirs.append(tmp_path / f"seed{seed}")
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("MPLBACKEND", None)
        # Started concurrently to keep the test file fast; each writes its own dir.
        procs.append(subprocess.Popen([sys.executable, "-c", code, str(outdirs[-1])],
                                      env=env, cwd=tmp_path, stderr=subprocess.PIPE))
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode(errors="replace")
    outputs = [read_all(out) for out in outdirs]
    assert sorted(outputs[0]) == EXPECTED
    assert outputs[0] == outputs[1]
    # ...and identical to the in-process render too (rcParams fully pinned).
    assert outputs[0] == rendered[1]


def test_unknown_kind_raises_with_figure_name(tmp_path):
    specs = {"mystery_fig": {"kind": "violin", "x": "age"}}
    with pytest.raises(ValueError, match="mystery_fig") as exc:
        figures.render_figures(load_table(), specs, tmp_path)
    assert "violin" in str(exc.value)
    assert not any(tmp_path.iterdir())


def test_paired_plot_draws_one_line_per_patient():
    figures.configure_matplotlib()
    df = load_table()
    spec = {k: v for k, v in SPECS["paired_hba1c"].items() if k != "kind"}
    fig = figures.plot_paired(df, **spec)
    try:
        lines = fig.axes[0].get_lines()
        two_point = [ln for ln in lines if tuple(ln.get_xdata()) == figures.PAIRED_X]
        patients = [ln for ln in two_point if (ln.get_gid() or "").startswith("patient-")]
        means = [ln for ln in two_point if (ln.get_gid() or "").startswith("mean-")]
        assert len(patients) == len(df)
        assert {ln.get_gid() for ln in patients} == {f"patient-{r}" for r in df["row_id"]}
        assert len(means) == df["severity"].nunique()
        assert len(two_point) == len(df) + len(means)
        # patient line endpoints are the raw values, in row order
        ys = np.array([ln.get_ydata() for ln in patients], dtype=float)
        np.testing.assert_allclose(ys, df[["hba1c_before", "hba1c_after"]].to_numpy())
        legend = fig.axes[0].get_legend()
        assert legend is not None
        assert [t.get_text() for t in legend.get_texts()] == [
            f"{lv} mean (n={n})" for lv, n in df["severity"].value_counts().sort_index().items()]
    finally:
        figures.plt.close(fig)


def test_palette_is_stable_regardless_of_row_order():
    df = load_table()
    assert figures._palette(df, "severity") == figures._palette(df.iloc[::-1], "severity")
    assert list(figures._palette(df, "severity")) == ["moderate", "severe"]


def test_no_hue_and_log_x_variants(tmp_path):
    specs = {
        "paired_nohue": {"kind": "paired", "before": "hba1c_before", "after": "hba1c_after",
                         "hue": None, "id_col": "row_id", "labels": {}},
        "dose_log": {"kind": "scatter", "x": "dose_million_cells", "y": "hba1c_reduction",
                     "hue": None, "labels": {}, "log_x": True},
    }
    paths = figures.render_figures(load_table(), specs, tmp_path / "nested" / "dir")
    assert [p.name for p in paths] == ["dose_log.png", "dose_log.svg",
                                       "paired_nohue.png", "paired_nohue.svg"]
    assert all(p.stat().st_size > 0 for p in paths)


def _toy_study(hue_variant=None):
    """A throwaway patient-level config: severity with the stated '> 8' and a '>= 8' reading."""
    variants = {"as_reported": {"moderate": {"gte": 6.2, "lte": 8.0}, "severe": {"gt": 8.0}},
                "severe_ge_8": {"moderate": {"gte": 6.2, "lt": 8.0}, "severe": {"gte": 8.0}}}
    fig = {"hue_grouping": "severity", "specs": {
        "paired": {"kind": "paired", "before": "before", "after": "after", "hue": "severity",
                   "id_col": "row_id", "labels": {"title": "t"}},
        "dose": {"kind": "scatter", "x": "before", "y": "after", "hue": None, "labels": {}}}}
    if hue_variant:
        fig["hue_variant"] = hue_variant
    return {"groupings": {"severity": {"column": "before", "variants": variants}}, "figures": fig}


TOY = pd.DataFrame({"row_id": ["a", "b", "c", "d", "e"], "before": [6.5, 7.9, 8.0, 8.0, 9.4],
                    "after": [6.0, 7.1, 7.5, 7.0, 8.0]})


def test_hue_follows_the_configured_reading_with_a_note_on_the_stated_one(tmp_path):
    # two patients at exactly 8.0: moderate under '> 8' (stated), severe under '>= 8'
    df, specs = figures.with_hue(TOY, _toy_study("severe_ge_8"))
    assert df["severity"].tolist() == ["moderate", "moderate", "severe", "severe", "severe"]
    labels = specs["paired"]["labels"]
    assert labels["legend"] == "severity (severe_ge_8)" and labels["title"] == "t"
    assert "severe >= 8" in labels["note"] and "severe > 8" in labels["note"]
    assert "2 patients would be in another group" in labels["note"]
    assert "note" not in specs["dose"]["labels"]        # not coloured by severity: no note
    assert "severity" not in TOY                         # the input table is left alone
    figures.configure_matplotlib()
    fig = figures.plot_paired(df, **{k: v for k, v in specs["paired"].items() if k != "kind"})
    try:
        legend = fig.axes[0].get_legend()
        assert legend.get_title().get_text() == "severity (severe_ge_8)"
        assert [t.get_text() for t in legend.get_texts()] == ["moderate mean (n=2)", "severe mean (n=3)"]
        assert "another group" in fig.get_supxlabel()
    finally:
        figures.plt.close(fig)
    # without a configured reading: the stated definition, no note
    df, specs = figures.with_hue(TOY, _toy_study())
    assert df["severity"].tolist() == ["moderate", "moderate", "moderate", "moderate", "severe"]
    assert "note" not in specs["paired"]["labels"] and specs["paired"]["labels"]["legend"] == "severity"
    with pytest.raises(ValueError, match="hue_variant 'nope'"):
        figures.with_hue(TOY, _toy_study("nope"))


# --- the ledger's figures for a corpus (more studies than config `studies_in_full`) -------


def p_ledger(studies: int, per_study: int, seed: int = 7) -> pd.DataFrame:
    """A ledger of as-reported p-value claims only, ``per_study`` in each of ``studies``
    studies, drawn at random: printed p exact ('= x', 3 decimals) or a bound ('< 0.05',
    '> 0.05'); recomputed as a value, a value in a range, a range only, or nothing
    (inputs impossible); verdicts and decision errors at random. Each claim in its own
    table, so that no two are one finding."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(studies):
        for j in range(per_study):
            kind = rng.integers(0, 4)      # 0 value, 1 value in a range, 2 range only, 3 nothing
            op = ["=", "<", ">"][rng.integers(0, 3)]
            printed = f"{rng.uniform(0.001, 0.9):.3f}" if op == "=" else "0.05"
            value = 10 ** rng.uniform(-6, 0)
            low, high = value / 3, min(1.0, value * 3)
            verdict = ["reproduced", "consistent", "discrepant"][rng.integers(0, 3)] if kind < 3 else "unverifiable"
            error = verdict == "discrepant" and rng.random() < 0.3
            row = dict.fromkeys(LEDGER_COLUMNS, "")
            row.update(study=f"st{s:04d}", claim_id=f"P-{j}", location=f"Table {j}", quantity=f"p, outcome {j}",
                       reported=f"p {op} {printed}", claim=f"{op} {printed}" if op != "=" else printed,
                       variant="as_reported", method="t-test", verdict=verdict, statistic="p",
                       decision_error="true" if error else "false",
                       why_unverifiable="impossible_inputs" if kind == 3 else "",
                       value=f"{value:.6g}" if kind in (0, 1) else "",
                       low=f"{low:.6g}" if kind in (1, 2) else "", high=f"{high:.6g}" if kind in (1, 2) else "",
                       recomputed=f"{value:.6g}" if kind in (0, 1) else "", source_file="paper.txt",
                       source_line=str(j + 1))
            rows.append(row)
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def as_read_by_the_script(ledger: pd.DataFrame, path: pathlib.Path) -> pd.DataFrame:
    """The ledger written and read back as the ledger rule reads it to draw its figures."""
    write_ledger(ledger, path)
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _points(collection) -> int:
    return len(collection.get_offsets())


def test_pooled_pvalue_panel_draws_every_recomputed_p_without_labels(tmp_path):
    figures.configure_matplotlib()
    ledger = as_read_by_the_script(p_ledger(studies=20, per_study=30), tmp_path / "claims.csv")
    # what should be drawn, counted from the ledger itself
    drawn = ledger[ledger["value"].notna() | ledger["high"].notna()]
    errors = drawn[drawn["decision_error"].astype(str).str.lower() == "true"]
    ranged = drawn[drawn["low"].notna() & drawn["high"].notna()]
    strong = ranged[(ranged["verdict"] == "discrepant") | (ranged["decision_error"].astype(str).str.lower() == "true")]
    faint = ranged.drop(strong.index)
    faint = faint[(faint["low"] < 0.05) & (faint["high"] > 0.05)]
    fig = summary_figures.plot_pvalues(ledger, pooled=True)
    try:
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert len(axes) == 1                                   # one pooled panel
        ax = axes[0]
        scatters = [c for c in ax.collections if c.__class__.__name__ == "PathCollection"]
        rings = [c for c in scatters if len(c.get_facecolor()) == 0 or c.get_facecolor()[0][3] == 0]
        assert sum(_points(c) for c in scatters) - sum(_points(c) for c in rings) == len(drawn)
        assert sum(_points(c) for c in rings) == len(errors)
        bars = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
        assert sum(len(c.get_segments()) for c in bars) == len(strong) + len(faint)
        assert len(ax.texts) == 0                               # no claim ids: too many to read
        assert ax.get_xscale() == ax.get_yscale() == "log"
        assert ax.get_title().startswith(f"{ledger['study'].nunique()} studies pooled: {len(ledger)} printed p ")
        assert f"{len(ledger) - len(drawn)} not recomputable" in ax.get_title()
    finally:
        figures.plt.close(fig)


def test_pooled_pvalues_of_40000_claims_are_drawn_and_saved(tmp_path):
    """The figure that took over ten minutes for a corpus: 40,000 p-values, drawn and saved
    to files of bounded size (its speed is measured by python -m reanalysis.scale, not here)."""
    figures.configure_matplotlib()
    ledger = as_read_by_the_script(p_ledger(studies=1000, per_study=40), tmp_path / "claims.csv")
    assert len(ledger) == 40_000
    paths = figures.save_figure(summary_figures.plot_pvalues(ledger, pooled=True), tmp_path / "pvalues")
    assert paths[0].read_bytes().startswith(PNG_SIGNATURE)
    assert paths[0].stat().st_size < 5_000_000 and paths[1].stat().st_size < 20_000_000


def _png_height(path: pathlib.Path) -> int:
    return int.from_bytes(path.read_bytes()[20:24], "big")  # the IHDR chunk: width, then height


def test_ledger_figures_summarise_above_studies_in_full(tmp_path):
    ledger = p_ledger(studies=6, per_study=12)
    write_ledger(ledger, tmp_path / "claims.csv")
    found = findings(read_ledger(tmp_path / "claims.csv"))
    flagged = [f for f in found if f.rule != "duplicates"]
    assert len(flagged) > summary_figures.DISCREPANCY_TOP_FINDINGS  # else nothing to leave out
    heights = {}
    for limit in (6, 5):  # 6 studies: in full at 6, a corpus at 5
        out = tmp_path / f"limit{limit}"
        paths, n = summary_figures.write_ledger_figures(tmp_path / "claims.csv", {"studies_in_full": limit},
                                                        out / "pvalues", out / "discrepancies")
        assert [p.name for p in paths] == ["pvalues.png", "pvalues.svg", "discrepancies.png", "discrepancies.svg"]
        assert n == len(found) and all(p.stat().st_size > 0 for p in paths)
        assert paths[0].read_bytes().startswith(PNG_SIGNATURE)
        heights[limit] = {p.stem: _png_height(p) for p in paths if p.suffix == ".png"}
    # per study: 3 rows of 2 panels and a row per finding; for a corpus: one panel, 30 rows
    assert heights[5]["pvalues"] < heights[6]["pvalues"]
    assert heights[5]["discrepancies"] < heights[6]["discrepancies"]


def test_top_discrepancies_in_rank_order_with_their_count(tmp_path):
    figures.configure_matplotlib()
    ledger = p_ledger(studies=6, per_study=12)
    write_ledger(ledger, tmp_path / "claims.csv")
    found = findings(read_ledger(tmp_path / "claims.csv"))
    top = summary_figures.DISCREPANCY_TOP_FINDINGS
    fig = summary_figures.plot_discrepancies(found, top=top)
    try:
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        expected = [f for f in found if f.rule != "duplicates"][:top]
        assert [label.split(" ")[0] for label in labels] == [f"F{i}" for i in range(1, top + 1)]
        assert [label.split(" ")[1].rstrip(":") for label in labels] == [f.study for f in expected]
        assert f"the {top} highest-ranked of {len(found)} findings; all are in summary.md" in fig._suptitle.get_text()
        assert len([a for a in fig.axes if a.get_visible()]) == 2   # the panel and its strip
    finally:
        figures.plt.close(fig)
