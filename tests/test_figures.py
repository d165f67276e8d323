"""Tests for reanalysis.figures.paper_figures: byte-determinism and plot structure; for the ledger's
figures of a corpus (reanalysis.figures.summary_figures above config `studies_in_full` studies): one
pooled p-value panel drawing every recomputed p, fast at 40,000 p-values, and the findings'
figure of the highest-ranked findings. Their ledgers are drawn at random here; expected
counts come from the ledger with pandas.

And honest figures: every mark a figure draws equals the ledger's verdict for that cell
(a time course's significance marks, written beside it; the p-value figure's points, which
its drawing returns), a missing recomputation is "–" and never "ns", no point crosses a
threshold line (each point's quadrant is its ledger classification), and the findings'
figure shows each finding's printed value against the ledger's recomputation. These hold
on the five papers (the workflow's run) and on a throwaway study with a missing
recomputation, audited here in process."""

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
from conftest import load_config  # noqa: E402
from reanalysis.findings.ranking import EVIDENCE_COLUMNS, FINDING_COLUMNS  # the table's fixed columns
from reanalysis.audit import designs
from reanalysis.figures import paper_figures as figures
from reanalysis.figures import summary_figures
from reanalysis.audit.ledger import LEDGER_COLUMNS, load_claims, to_frame, write_ledger
from reanalysis.figures.palette import VERDICT_STYLE, colour, contrast, ink

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
    fig, points = summary_figures.plot_pvalues(ledger, pooled=True)
    try:
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert len(axes) == 1                                   # one pooled panel
        ax = axes[0]
        scatters = [c for c in ax.collections if c.__class__.__name__ == "PathCollection"]
        rings = [c for c in scatters if len(c.get_facecolor()) == 0 or c.get_facecolor()[0][3] == 0]
        assert sum(_points(c) for c in scatters) - sum(_points(c) for c in rings) == len(drawn) == len(points)
        assert sum(_points(c) for c in rings) == len(errors)
        bars = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
        assert sum(len(c.get_segments()) for c in bars) == len(strong) + len(faint)
        assert len(ax.texts) == 0                               # no claim ids: too many to read
        assert ax.get_xscale() == ax.get_yscale() == "log"
        assert ax.get_title().startswith(f"{ledger['study'].nunique()} studies pooled: {len(ledger)} printed p ")
        assert f"{len(ledger) - len(drawn)} not recomputable" in ax.get_title()
    finally:
        figures.plt.close(fig)
    assert_quadrants(points, ledger)


def test_pooled_pvalues_of_40000_claims_are_drawn_and_saved(tmp_path):
    """The figure that took over ten minutes for a corpus: 40,000 p-values, drawn and saved
    to files of bounded size (its speed is measured by python -m reanalysis.corpus.scale, not here)."""
    figures.configure_matplotlib()
    ledger = as_read_by_the_script(p_ledger(studies=1000, per_study=40), tmp_path / "claims.csv")
    assert len(ledger) == 40_000
    fig, points = summary_figures.plot_pvalues(ledger, pooled=True)
    paths = figures.save_figure(fig, tmp_path / "pvalues")
    assert paths[0].read_bytes().startswith(PNG_SIGNATURE)
    assert paths[0].stat().st_size < 5_000_000 and paths[1].stat().st_size < 20_000_000
    assert_quadrants(points, ledger)


def _png_height(path: pathlib.Path) -> int:
    return int.from_bytes(path.read_bytes()[20:24], "big")  # the IHDR chunk: width, then height


def test_pvalue_figure_pools_a_corpus(tmp_path):
    ledger = p_ledger(studies=6, per_study=12)
    write_ledger(ledger, tmp_path / "claims.csv")
    heights = {}
    for corpus in (False, True):
        paths, points = summary_figures.write_pvalue_figure(tmp_path / "claims.csv", {}, tmp_path / f"p{corpus}",
                                                            corpus=corpus)
        assert [p.suffix for p in paths] == [".png", ".svg"] and paths[0].read_bytes().startswith(PNG_SIGNATURE)
        heights[corpus] = _png_height(paths[0])
    assert heights[True] < heights[False]  # one panel against 3 rows of 2


# --- the findings' figure, from a findings table built by hand ------------------------------



def findings_of(ledger: pd.DataFrame, flags: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A findings table and its evidence, one finding per discrepant as-reported row of a
    ledger in its order (the ranking is the lead's; any order will do here), then ``flags``
    flags."""
    rows, evidence = [], []
    flagged = ledger[(ledger["variant"] == "as_reported") & (ledger["verdict"] == "discrepant")]
    for k, r in enumerate(flagged.to_dict("records"), 1):
        rows.append({**dict.fromkeys(FINDING_COLUMNS, ""), "id": f"F{k}", "rank": str(k), "study": r["study"],
                     "strength": "discrepant", "strength_label": "discrepant under every reading",
                     "decision_errors": "1" if r["decision_error"] == "true" else "0", "headline": "false",
                     "title": f"{r['quantity']}: printed {r['claim']}", "claims": r["claim_id"],
                     "locations": r["location"]})
        evidence.append({**{k2: r.get(k2, "") for k2 in EVIDENCE_COLUMNS}, "finding": f"F{k}"})
    for j in range(flags):
        k = len(rows) + 1
        rows.append({**dict.fromkeys(FINDING_COLUMNS, ""), "id": f"F{k}", "rank": str(k), "study": "st0000",
                     "strength": "flag", "strength_label": "flag", "claims": "X-1", "decision_errors": "0"})
    return (pd.DataFrame(rows, columns=FINDING_COLUMNS).astype(str),
            pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS).astype(str))


def as_text(ledger: pd.DataFrame) -> pd.DataFrame:
    return ledger.astype(str).replace("nan", "")


def test_discrepancy_figure_shows_printed_against_the_ledger(tmp_path):
    figures.configure_matplotlib()
    ledger = as_text(p_ledger(studies=14, per_study=12))
    table, evidence = findings_of(ledger)
    top = summary_figures.DISCREPANCY_TOP_FINDINGS
    assert (table["strength"] != "flag").sum() > top  # else nothing to leave out
    fig, rows = summary_figures.plot_discrepancies(table, evidence, ledger, top=top)
    figures.plt.close(fig)
    # the highest-ranked, in rank order, flags left out
    assert [r["finding"] for r in rows] == [f"F{i}" for i in range(1, top + 1)]
    by_claim = {(r["study"], r["claim_id"]): r for r in ledger.to_dict("records")}
    for r in rows:
        row = by_claim[(r["study"], r["claim_id"])]
        assert r["verdict"] == row["verdict"]                       # its colour is the ledger's verdict
        numbers = r["numbers"]
        if numbers is None:                                         # nothing numeric recomputed
            assert row["value"] == row["low"] == ""
            continue
        printed = float(row["claim"].lstrip("<> "))
        assert numbers["printed"] == printed
        for k in ("value", "low", "high"):
            expected = float(row[k]) if row[k] else float("nan")
            assert (numbers[k] == expected) or (numbers[k] != numbers[k] and expected != expected)
    paths, drawn = summary_figures.write_discrepancy_figure(table, evidence, ledger, {}, tmp_path / "d", corpus=False)
    assert len(drawn) == (table["strength"] != "flag").sum() and paths[0].read_bytes().startswith(PNG_SIGNATURE)


def test_units_of_printed_quantities():
    assert summary_figures.unit_of("median follow-up (months)") == "months"
    assert summary_figures.unit_of("decrease in mean HbA1c from baseline to week 48, UC-MSC (percentage points)") \
        == "percentage points"
    assert summary_figures.unit_of("p, UC-MSC vs placebo, HbA1c at week 32 (independent two-sample t-test)") == "p"
    assert summary_figures.unit_of("male patients, n (%) (placebo, baseline, n = 46)", "percent") == "%"
    assert summary_figures.unit_of("age (unit not printed), mean ± dispersion (SD or SE not stated)") == ""


# --- honest marks: each equals the ledger's verdict for its cell ----------------------------

def quadrant_flip(x: float, y: float, alpha: float) -> bool:
    """Is a point in a quadrant where significance flips (printed and recomputed on either
    side of alpha)?"""
    return (x < alpha) != (y < alpha)


def assert_quadrants(points: pd.DataFrame, ledger: pd.DataFrame) -> None:
    """Each point drawn is in a flip quadrant exactly when the ledger calls it a decision
    error, sits on no threshold line, and has the ledger's verdict (its colour)."""
    rows = ledger[(ledger["statistic"] == "p") & (ledger["variant"] == "as_reported")]
    truth = {(r["study"], r["claim_id"]): r for r in rows.astype(str).to_dict("records")}
    assert len(points)
    for p in points.to_dict("records"):
        row = truth[(p["study"], p["claim_id"])]
        assert p["x"] != p["alpha"] and p["y"] != p["alpha"]
        assert quadrant_flip(p["x"], p["y"], p["alpha"]) == (row["decision_error"].lower() == "true"), p
        assert p["verdict"] == row["verdict"]


def stars(p: float) -> str:
    """The marks the figures' captions define, worked here: *** below 0.001, ** below 0.01,
    * below 0.05, ns otherwise."""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else "ns"


def expected_mark(row: dict) -> str:
    """The recomputed mark a ledger row calls for: its value's; a range's two ends (one mark
    where they agree); "–" where nothing was recomputed."""
    value, low, high = (float(row[k]) if row[k] not in ("", "nan") else None for k in ("value", "low", "high"))
    if value is not None:
        return stars(value)
    if low is None or high is None:
        return "–"
    return stars(low) if stars(low) == stars(high) else f"{stars(low)}…{stars(high)}"


def assert_marks_equal_the_ledger(marks: pd.DataFrame, ledger: pd.DataFrame) -> int:
    """Every mark with a claim has the ledger's verdict and the ledger's recomputed mark;
    returns how many marks had nothing recomputed."""
    rows = ledger[(ledger["statistic"] == "p") & (ledger["variant"] == "as_reported")]
    truth = {r["claim_id"]: r for r in rows.astype(str).to_dict("records")}
    missing = 0
    for m in marks.astype(str).replace("nan", "").to_dict("records"):
        if not m["claim_id"]:
            assert m["verdict"] == "" and m["printed_mark"] == "–"
            continue
        row = truth[m["claim_id"]]
        assert m["verdict"] == row["verdict"], m
        assert m["recomputed_mark"] == expected_mark(row), m
        if expected_mark(row) == "–":
            missing += 1
            assert m["recomputed_mark"] != "ns"
    return missing


def test_pipeline_time_course_marks_equal_the_ledger(finished_run):
    results = finished_run / "results"
    ledger = pd.read_csv(results / "audit" / "claims.csv", dtype=str, keep_default_na=False)
    files = sorted((results / "figures").rglob("*.marks.csv"))
    config_figures = [(s, n) for s, spec in load_config(finished_run)["studies"].items()
                      if spec["design"] == "summary_level"
                      for n, f in spec.get("figures", {}).items() if f["kind"] == "time_course"]
    assert len(files) == len(config_figures)  # one marks file beside each time course
    for path in files:
        study = path.parent.name
        assert_marks_equal_the_ledger(pd.read_csv(path, dtype=str, keep_default_na=False),
                                      ledger[ledger["study"] == study])


def test_pipeline_pvalue_points_sit_in_their_ledger_quadrant(finished_run):
    results = finished_run / "results"
    config = load_config(finished_run)
    ledger = pd.read_csv(results / "audit" / "claims.csv", keep_default_na=False, na_values=[""])
    fig, points = summary_figures.plot_pvalues(ledger, alphas={s: c["alpha"] for s, c in config["studies"].items()})
    figures.plt.close(fig)
    assert_quadrants(points, ledger)
    # the printed side of a shared threshold is kept: '< 0.05' drawn left of 0.05, '> 0.05' right
    for p in points.to_dict("records"):
        if p["said"] is True:
            assert p["x"] < p["alpha"]
        elif p["said"] is False:
            assert p["x"] > p["alpha"]


def test_pipeline_figures_record_their_smallest_text(finished_run):
    """Every PNG records its smallest text (points), which the report keeps >= 9 px on screen;
    none is below 7 pt."""
    from PIL import Image
    for png in sorted((finished_run / "results" / "figures").rglob("*.png")):
        with Image.open(png) as im:
            assert float(im.info[figures.MIN_FONT_KEY]) >= 7, png


def test_one_verdict_palette_colour_blind_safe_with_aa_text():
    """Okabe and Ito's colours (their published hex values), each verdict's text colour at
    least 4.5:1 on white and on its tint (WCAG AA, the formula of WCAG 2.x in
    reanalysis.figures.palette, checked here on black and white: 21:1)."""
    assert round(contrast("#000000", "#FFFFFF"), 6) == 21
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999", "#000000"}
    assert {s["colour"] for s in VERDICT_STYLE.values()} <= okabe_ito
    assert len({s["colour"] for s in VERDICT_STYLE.values()}) == len(VERDICT_STYLE)
    for verdict, s in VERDICT_STYLE.items():
        assert contrast(ink(verdict), "#FFFFFF") >= 4.5 and contrast(ink(verdict), s["tint"]) >= 4.5
        assert colour(verdict) == s["colour"]


def test_no_module_defines_its_own_verdict_colours():
    """The palette is defined once: no other module of the package spells a verdict colour."""
    package = ROOT / "workflow" / "reanalysis"
    hexes = {s[k].lower() for s in VERDICT_STYLE.values() for k in ("colour", "ink", "tint")}
    for path in package.rglob("*.py"):
        if path.name == "palette.py":
            continue
        text = path.read_text(encoding="utf-8").lower()
        assert not [h for h in hexes if h in text], path.name
        assert "color_palette(\"colorblind\"" not in text and "verdict_colours" not in text, path.name


# --- a throwaway study with a missing recomputation ------------------------------------------

SUMMARY_HEADER = ("value_id,source_file,source_line,location,outcome,quantity,arm,timepoint,n,reported,value,form,"
                  "dispersion,same_as,marker,repair_note,note")
CLAIM_HEADER = "claim_id,source_file,source_line,location,quantity,reported,claim,claim_basis,scale,check,why_not_recomputable,also_in,note"


def throwaway_study(root: pathlib.Path) -> dict:
    """A two-arm study printing the percentage of patients at target at two visits, with a
    p-value at each (18/45 = 40.00% and 4/46 = 8.70% at week 2; at week 1 the second arm's
    4.55% is impossible at its n = 46: 2/46 is 4.35%, 3/46 is 6.52%)."""
    raw = root / "raw" / "throwaway"
    raw.mkdir(parents=True)
    (raw / "summaries.csv").write_text("\n".join([
        SUMMARY_HEADER,
        "T-W1-A,paper.txt,3,Table 2,target,\"patients at target, % of patients\",cell,week_1,45,20.00,20.00,percent,,,,,",
        "T-W1-B,paper.txt,3,Table 2,target,\"patients at target, % of patients\",control,week_1,46,4.55,4.55,percent,,,,,",
        "T-W2-A,paper.txt,4,Table 2,target,\"patients at target, % of patients\",cell,week_2,45,40.00,40.00,percent,,,,,",
        "T-W2-B,paper.txt,4,Table 2,target,\"patients at target, % of patients\",control,week_2,46,8.70,8.70,percent,,,,,",
    ]) + "\n", encoding="utf-8")
    (raw / "claims.csv").write_text("\n".join([
        CLAIM_HEADER,
        "T-PW-01,paper.txt,3,Table 2,\"p, cell vs control, at target at week 1 (chi-squared test)\",p < 0.05,< 0.05,verbatim,1,w1,,,",
        "T-PW-02,paper.txt,4,Table 2,\"p, cell vs control, at target at week 2 (chi-squared test)\",p < 0.05,< 0.05,verbatim,1,w2,,,",
    ]) + "\n", encoding="utf-8")
    (raw / "ranges.yaml").write_text("outcomes:\n  target: {minimum: 0, maximum: 100}\n", encoding="utf-8")
    return {"design": "summary_level", "title": "A throwaway study", "table": str(raw / "summaries.csv"),
            "table_schema": str(ROOT / "workflow" / "schemas" / "summaries.schema.yaml"),
            "claims": str(raw / "claims.csv"), "value_ranges": str(raw / "ranges.yaml"), "alpha": 0.05,
            "checks": {w: {"kind": "two_proportions", "a": f"T-{w.upper()}-A", "b": f"T-{w.upper()}-B", "test": "chi2"}
                       for w in ("w1", "w2")},
            "arm_labels": {"cell": "Cell therapy", "control": "Control"},
            "figures": {"course": {"kind": "time_course", "title": "Throwaway: patients at target",
                                   "panels": [{"outcome": "target", "label": "A. Patients at target (%)",
                                               "between_checks": ["w1", "w2"]}],
                                   "timepoints": {"week_1": 1, "week_2": 2}, "time_unit": "weeks"}}}


def test_throwaway_study_missing_recomputation_is_a_dash(tmp_path):
    study = throwaway_study(tmp_path)
    data = designs.load(study)
    claims = load_claims(pathlib.Path(study["claims"]), ROOT / "workflow" / "schemas" / "claims.schema.yaml", study)
    stats = designs.recompute(study, data, "throwaway")
    # Nothing recomputed at week 1: the engine returns p = NaN where it cannot recompute (a
    # table of printed percentages that more tables fit than it enumerates,
    # summary_level.run_check's contingency); the week-1 p is set to that here. The audit
    # then finds nothing recomputed for its claim.
    week1 = (stats["check"] == "w1") & (stats["statistic"] == "p")
    assert week1.any()
    stats.loc[week1, ["value", "low", "high"]] = float("nan")
    # the ledger as the workflow writes it and every later step reads it: as text
    write_ledger(to_frame(designs.audit("throwaway", study, claims, stats, data)), tmp_path / "claims.csv")
    ledger = pd.read_csv(tmp_path / "claims.csv", dtype=str, keep_default_na=False)
    paths = summary_figures.render_summary_figures(data, claims, stats, study, tmp_path / "figures", audit=ledger)
    assert ledger.loc[(ledger["claim_id"] == "T-PW-01") & (ledger["statistic"] == "p"), "verdict"].iloc[0] \
        == "unverifiable"
    marks = pd.read_csv(tmp_path / "figures" / "course.marks.csv", dtype=str, keep_default_na=False)
    assert [p.name for p in paths] == ["course.marks.csv", "course.png", "course.svg"]
    assert assert_marks_equal_the_ledger(marks, ledger) == 1          # week 1: nothing recomputed
    week1 = marks[marks["claim_id"] == "T-PW-01"].iloc[0]
    assert (week1["printed_mark"], week1["recomputed_mark"]) == ("*", "–")
    p_row = ledger[(ledger["claim_id"] == "T-PW-01") & (ledger["variant"] == "as_reported")
                   & (ledger["statistic"] == "p")].iloc[0]
    assert p_row["value"] == p_row["low"] == "" and week1["verdict"] == p_row["verdict"]
    # week 2 is recomputed: a mark, never a dash
    assert marks[marks["claim_id"] == "T-PW-02"].iloc[0]["recomputed_mark"] in ("***", "**", "*", "ns")
    # the arms are named as the config names them, not by their keys
    fig, _ = summary_figures.plot_time_course(data, claims, stats, study, study["figures"]["course"], audit=ledger)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    figures.plt.close(fig)
    assert "Cell therapy" in labels and "Control" in labels and "cell" not in labels
    # its p-value figure: every point in its ledger quadrant
    fig, points = summary_figures.plot_pvalues(pd.read_csv(tmp_path / "claims.csv", keep_default_na=False,
                                                           na_values=[""]))
    figures.plt.close(fig)
    assert list(points["claim_id"]) == ["T-PW-02"]                     # nothing to draw for week 1
    assert_quadrants(points, ledger)
