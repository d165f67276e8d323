"""Entry point shared by the Snakemake scripts: bad input ends the job with a clear message."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from reanalysis.errors import InputError


def run(main: Callable[[], str], log: str | None = None) -> None:
    """Run a script body; log what it returns; on bad input say where and why, exit 1."""
    try:
        message = main() or "ok"
    except InputError as exc:
        message = f"INPUT ERROR: {exc}"
        print(message, file=sys.stderr)
        if log:
            Path(log).parent.mkdir(parents=True, exist_ok=True)
            Path(log).write_text(message + "\n", encoding="utf-8")
        sys.exit(1)
    if log:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        Path(log).write_text(message + "\n", encoding="utf-8")
