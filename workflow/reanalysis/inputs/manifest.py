"""The checksum manifest of ``raw/``: verified before any use, re-signed only on purpose.

The manifest is ``raw/MANIFEST.sha256`` in ``sha256sum`` format, so
``cd raw && sha256sum -c MANIFEST.sha256`` checks it without this package.
Re-sign after a reviewed change with ``python -m reanalysis.inputs.manifest sign``.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from reanalysis.errors import InputError

MANIFEST_NAME = "MANIFEST.sha256"
SIGN_COMMAND = "python -m reanalysis.inputs.manifest sign"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(raw_dir: Path) -> dict[str, str]:
    path = Path(raw_dir) / MANIFEST_NAME
    if not path.is_file():
        raise InputError(path, "checksum manifest not found", rule=f"create it with '{SIGN_COMMAND}'")
    entries = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise InputError(path, "malformed manifest line", row=number, value=line,
                             rule="'<sha256>  <path>' as written by sha256sum")
        entries[name] = digest
    return entries


def data_files(raw_dir: Path) -> list[str]:
    raw_dir = Path(raw_dir)
    return sorted(p.relative_to(raw_dir).as_posix() for p in raw_dir.rglob("*")
                  if p.is_file() and p.name != MANIFEST_NAME)


def verify(raw_dir: Path, prefix: str = "") -> list[str]:
    """Check every file under ``raw_dir/prefix`` against the manifest; return them."""
    raw_dir = Path(raw_dir)
    entries = read_manifest(raw_dir)
    checked = []
    for name in data_files(raw_dir):
        if not name.startswith(prefix):
            continue
        if name not in entries:
            raise InputError(raw_dir / name, "file is not in the checksum manifest",
                             rule=f"every raw file is signed; after review run '{SIGN_COMMAND}'")
        actual = sha256(raw_dir / name)
        if actual != entries[name]:
            raise InputError(raw_dir / name,
                             f"checksum mismatch: expected sha256 {entries[name]}, actual {actual}",
                             rule=f"raw files change only with a reviewed re-sign: '{SIGN_COMMAND}'")
        checked.append(name)
    for name in entries:
        if name.startswith(prefix) and not (raw_dir / name).is_file():
            raise InputError(raw_dir / name, "file listed in the checksum manifest is missing",
                             rule="every signed file must exist")
    return checked


def verify_study(raw_dir: Path, name: str, files: list[str]) -> list[str]:
    """Verify a study's folder ``raw/<name>/``, and that each file it reads is one signed."""
    signed = verify(raw_dir, prefix=f"{name}/")
    for file in files:
        try:
            relative = Path(file).resolve().relative_to(Path(raw_dir).resolve()).as_posix()
        except ValueError:
            relative = None
        if relative not in signed:
            raise InputError(file, "the study reads a file that is not signed in the manifest",
                             rule=f"a study's data live under {raw_dir}/{name}/ and are signed "
                                  f"with '{SIGN_COMMAND}'")
    return signed


def sign(raw_dir: Path) -> Path:
    raw_dir = Path(raw_dir)
    lines = [f"{sha256(raw_dir / name)}  {name}" for name in data_files(raw_dir)]
    path = raw_dir / MANIFEST_NAME
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    raw_dir = Path(argv[1]) if len(argv) > 1 else Path("raw")
    if argv[:1] != ["sign"]:
        print(f"usage: {SIGN_COMMAND} [RAW_DIR]", file=sys.stderr)
        return 2
    print(f"signed {sign(raw_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
