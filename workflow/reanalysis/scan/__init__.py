"""The scan, stage 4 (run in ``rules/audit.smk``'s audit job): every printed test statistic of
a paper, found in its text and checked by statcheck's rule. May import the engine, the
inputs and the audit.

``python -m reanalysis scan FILE... [--csv OUT] [--apa-only]`` prints a table for any
.txt, .pdf or .html file; a study with ``scan_text`` (on by default) has its paper
scanned in the audit job, and each result becomes a ledger row (``study.py``).

- ``text``: reading files (pypdf for PDF, the standard library's HTML parser) and the
  repaired copy the grammars read, mapped back to the printed characters;
- ``grammar``: where a text prints a result (statcheck 1.6.0's APA grammar, and a broader
  one with non-APA forms and PDF artefacts);
- ``core``: each result judged by ``reanalysis.engine.statcheck`` (the rule that agrees with
  statcheck's 89 reference cases), two-tailed and as a labelled one-tailed reading;
- ``papers``: which files a study's scan reads (imported by the Snakefile: kept light);
- ``study``: a study's papers scanned into its ledger, a transcribed statistic kept once;
- ``cli``: the command.

The names below are imported on first use, so that ``reanalysis.scan.papers`` stays cheap.
"""
_EXPORTS = {"Result": "core", "scan_file": "core", "scan_text": "core", "Found": "grammar",
            "FoundP": "grammar", "find_p_values": "grammar", "find_results": "grammar"}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
