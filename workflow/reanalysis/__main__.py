"""Command line: ``python -m reanalysis new|check|draft ...`` (run from the repository root).

- ``new <study> --design summary_level|patient_level --paper PATH``: scaffold a study: its
  folder under raw/ with CSV headers, and config/studies/<study>.yaml with a commented
  example of every check kind; prints the next steps.
- ``check <study>``: validate one study's transcription and config on their own, in
  seconds, without running the pipeline; every message says what to do.
- ``draft <study>``: propose transcription rows from the paper's text (never writes raw/).
- ``scan FILE... [--csv OUT] [--apa-only]``: every printed test statistic in a .txt, .pdf or
  .html file, checked by statcheck's rule (no study needed).
"""
from __future__ import annotations

import argparse
import sys

from reanalysis.onboarding import scaffold


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["draft"]:
        from reanalysis.onboarding import draft
        return draft.main(argv)
    if argv[:1] == ["scan"]:
        from reanalysis.scan import cli
        return cli.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m reanalysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    new = sub.add_parser("new", help="scaffold a new study (folder, CSV headers, config stub)")
    new.add_argument("study")
    new.add_argument("--design", choices=["summary_level", "patient_level"], required=True)
    new.add_argument("--paper", required=True, help="the paper's plain-text file")
    check = sub.add_parser("check", help="validate one study's transcription and config")
    check.add_argument("study")
    sub.add_parser("draft", help="propose rows from the paper's text (see: draft --help)")
    sub.add_parser("scan", help="check every printed test statistic in a text, PDF or HTML file "
                                "(see: scan --help)")
    args = parser.parse_args(argv)
    if args.command == "new":
        return scaffold.new_study(args.study, args.design, args.paper)
    return scaffold.check_study(args.study)


if __name__ == "__main__":
    sys.exit(main())
