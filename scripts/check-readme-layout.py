#!/usr/bin/env python3
"""scripts/check-readme-layout.py [ROOT]: the README's "## Layout" section lists every project of the repository.

A project is a folder directly under server/, tests/ or bench/ that holds a *.csproj or a package.json, and client/.
Each must appear in the first code block after "## Layout" as a path (`tests/CertLsp.Core.Tests`, `tests/e2e`, ...)
followed by a space, a slash or the end of the line. Prints what is missing and exits 1; exits 0 when all are listed.
Run by ./test.sh; proven able to fail by tests/CertLsp.Cli.Tests/Conventions/ConventionScriptTests.cs.
"""
import pathlib
import re
import sys


def projects(root: pathlib.Path) -> list[str]:
    found = ["client"]
    for area in ("server", "tests", "bench"):
        for folder in sorted((root / area).iterdir()):
            if folder.is_dir() and (any(folder.glob("*.csproj")) or (folder / "package.json").is_file()):
                found.append(f"{area}/{folder.name}")
    return found


def layout_block(readme: str) -> str:
    match = re.search(r"^## Layout\s*$.*?^```[^\n]*\n(.*?)^```", readme, re.M | re.S)
    if not match:
        sys.exit('check-readme-layout: README.md has no "## Layout" section with a code block')
    return match.group(1)


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    block = layout_block((root / "README.md").read_text(encoding="utf-8"))
    missing = [p for p in projects(root) if not re.search(rf"(^|\s){re.escape(p)}(/|\s|$)", block, re.M)]
    for path in missing:
        print(f"README.md: the Layout section does not list {path}/", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
