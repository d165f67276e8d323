"""Checks every study gets, whatever its design: its transcription stands in its paper.

The rules live in the package (reanalysis.inputs.transcription), where `python -m reanalysis
check` runs them too; here each rule becomes a check that fails with every fault it finds.
Each check takes the repository root, the loaded config and a study name, so the same
checks run on the studies in config/studies/ (test_transcription_studies.py) and on a
throwaway study added in a temporary copy (test_new_study.py). Expected values come from
the paper's own text: each transcribed row must quote its cited line verbatim.
"""
from __future__ import annotations

from pathlib import Path

from conftest import study_papers
from reanalysis.inputs import transcription


def faults(rule, root: Path, config: dict, study: str) -> list[str]:
    """A rule's faults for one study, its paper text looked up as the tests look it up."""
    spec = config["studies"][study]
    return transcription.run(rule, root, spec, study_papers(config, study, root),
                             f"{config['studies_dir']}/{study}.yaml")


def _check(rule):
    def check(root, config, study):
        found = faults(rule, root, config, study)
        assert not found, f"{study}: {len(found)} fault(s):\n" + "\n".join(found)
    check.__name__ = f"check_{rule.__name__}"
    check.__doc__ = rule.__doc__
    return check


ALL_CHECKS = [_check(rule) for rule in transcription.RULES]
