"""Tests for reanalysis.figures: byte-determinism and plot structure."""

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
from reanalysis import figures

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
