#!/usr/bin/env python3
"""scripts/check-line-length.py [--fix] [--max N] [PATH...]: no line of code longer than N characters (default: the
max_line_length of .editorconfig, 140), so that two files can be read side by side.

Checks the C#, TypeScript, JavaScript and shell files git tracks under PATH (default: the whole repository; a folder
outside git is walked). Exempt: the content lines of a multi-line string (C# raw and verbatim strings, JS template
literals, shell here-documents), which are data. Prints path:line: length for each long line and exits 1 when there is one.

--fix wraps what it can and reports the rest: a comment line is re-wrapped with the same prefix (//, ///, *, #); a
trailing comment moves above its line; code breaks after a comma, `=>`, `=` or `(`, or before `&&`, `||`, `??`, `?`, `:`,
continuing four columns deeper; a plain string literal is split in two joined by `+`. Run
`dotnet format whitespace CertLsp.sln` after it. Run by ./test.sh (check only); proven able to fail by
tests/CertLsp.Cli.Tests/Conventions/ConventionScriptTests.cs.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import subprocess
import sys

EXTENSIONS = (".cs", ".ts", ".mjs", ".js", ".cjs", ".sh")
SKIP_PARTS = {"node_modules", "bin", "obj", "out", "dist", "node24", ".git", "artifacts"}


def default_max(root: pathlib.Path) -> int:
    config = root / ".editorconfig"
    if config.is_file():
        match = re.search(r"^max_line_length\s*=\s*(\d+)", config.read_text(encoding="utf-8"), re.M)
        if match:
            return int(match.group(1))
    return 140


def files_under(root: pathlib.Path, paths: list[str]) -> list[pathlib.Path]:
    targets = [pathlib.Path(p).resolve() for p in paths] or [root]
    found: list[pathlib.Path] = []
    for target in targets:
        if target.is_file():
            found.append(target)
            continue
        try:
            listed = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=target, check=True,
                                    capture_output=True).stdout.decode().split("\0")
            candidates = [target / p for p in listed if p]
        except (subprocess.CalledProcessError, FileNotFoundError):
            candidates = [pathlib.Path(d) / f for d, _, fs in os.walk(target) for f in fs]
        found += [p for p in candidates
                  if p.suffix in EXTENSIONS and p.is_file() and not SKIP_PARTS.intersection(p.relative_to(target).parts)]
    return sorted(set(found))


# --- A small lexer: for each character, code (c), string (s) or comment (m); per line, whether it starts inside a
# multi-line string. Interpolation holes count as string.

def lex(text: str, language: str) -> tuple[list[str], list[bool]]:
    mask = ["c"] * len(text)
    i, n = 0, len(text)
    line_starts_in_string: list[bool] = [False]
    in_string_at: set[int] = set()  # offsets of newlines that are inside a string

    def mark(a: int, b: int, kind: str) -> None:
        for k in range(a, min(b, n)):
            mask[k] = kind
            if kind == "s" and text[k] == "\n":
                in_string_at.add(k)

    def skip_hole(j: int, close: str) -> int:
        # j is just after the opening brace of an interpolation hole; returns the offset just after its closing brace.
        depth = 1
        while j < n and depth:
            ch = text[j]
            if ch in "\"'`" or (language == "cs" and ch in "$@" and j + 1 < n and text[j + 1] in "\"$@"):
                j = string_end(j)
                continue
            if ch == "{":
                depth += 1
            elif ch == close:
                depth -= 1
            j += 1
        return j

    def string_end(j: int) -> int:
        # j is at the start of a string literal (its prefix or its quote); returns the offset just after it.
        if language == "cs":
            k = j
            dollars = 0
            verbatim = False
            while k < n and text[k] in "$@":
                dollars += text[k] == "$"
                verbatim |= text[k] == "@"
                k += 1
            if k >= n:
                return n
            if text[k] == "'":
                k += 1
                while k < n and text[k] != "'" and text[k] != "\n":
                    k += 2 if text[k] == "\\" else 1
                return k + 1
            quotes = 0
            while k + quotes < n and text[k + quotes] == '"':
                quotes += 1
            if quotes >= 3:
                close = '"' * quotes
                end = text.find(close, k + quotes)
                return n if end < 0 else end + quotes
            k += 1
            while k < n:
                ch = text[k]
                if verbatim:
                    if ch == '"':
                        if k + 1 < n and text[k + 1] == '"':
                            k += 2
                            continue
                        return k + 1
                elif ch == "\\":
                    k += 2
                    continue
                elif ch == '"' or ch == "\n":
                    return k + 1
                if dollars and ch == "{":
                    if k + 1 < n and text[k + 1] == "{":
                        k += 2
                        continue
                    k = skip_hole(k + 1, "}")
                    continue
                k += 1
            return n
        quote = text[j]
        k = j + 1
        while k < n:
            ch = text[k]
            if ch == "\\":
                k += 2
                continue
            if ch == quote:
                return k + 1
            if quote == "`" and ch == "$" and k + 1 < n and text[k + 1] == "{":
                k = skip_hole(k + 2, "}")
                continue
            if quote != "`" and ch == "\n":
                return k
            k += 1
        return n

    while i < n:
        ch = text[i]
        if language == "sh":
            heredoc = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_]\w*)\1").match(text, i) if ch == "<" else None
            if heredoc:
                # The body of a here-document is data (often a program in another language): from the next line to
                # the line that is the delimiter alone.
                body = text.find("\n", i)
                close = re.compile(rf"^\s*{heredoc.group(2)}$", re.M).search(text, body + 1) if body >= 0 else None
                end = close.start() if close else n
                if body >= 0:
                    mark(body, end, "s")
                i = max(end, i + 1)
                continue
            if ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
                end = text.find("\n", i)
                end = n if end < 0 else end
                mark(i, end, "m")
                i = end
                continue
            i += 1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            mark(i, end, "m")
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            mark(i, end, "m")
            i = end
            continue
        starts_string = ch in "\"'`" if language != "cs" else (
            ch in "\"'" or (ch in "$@" and i + 1 < n and text[i + 1] in "\"$@"))
        if starts_string and not (language != "cs" and ch == "'" and i > 0 and text[i - 1].isalnum()):
            end = string_end(i)
            mark(i, end, "s")
            i = end
            continue
        i += 1
    for k, ch in enumerate(text):
        if ch == "\n":
            line_starts_in_string.append(k in in_string_at)
    return mask, line_starts_in_string


def language_of(path: pathlib.Path) -> str:
    return {".cs": "cs", ".sh": "sh"}.get(path.suffix, "js")


def long_lines(text: str, language: str, limit: int) -> list[tuple[int, int]]:
    _, in_string = lex(text, language)
    found = []
    for number, line in enumerate(text.split("\n")):
        if len(line) > limit and not in_string[number]:
            found.append((number + 1, len(line)))
    return found


# --- The fixer.

COMMENT_PREFIX = re.compile(r"^(\s*)(///|//|#|\*)( ?)")


def wrap_comment(line: str, limit: int) -> list[str] | None:
    match = COMMENT_PREFIX.match(line)
    if not match:
        return None
    prefix = match.group(1) + match.group(2) + " "
    words = line[match.end():].split(" ")
    out, current = [], ""
    for word in words:
        candidate = word if not current else current + " " + word
        if current and len(prefix) + len(candidate) > limit:
            out.append(prefix + current)
            current = word
        else:
            current = candidate
    out.append(prefix + current)
    if any(len(o) > limit for o in out):
        return None
    return [o.rstrip() for o in out]


BREAK_AFTER = (", ", " => ", " = ", "(")
BREAK_BEFORE = (" && ", " || ", " ?? ", " ? ", " : ", " + ", " or ", " and ")


def break_code(line: str, mask: list[str], limit: int, indent: str, language: str) -> list[str] | None:
    """Breaks a code line into pieces of at most limit characters; None when it cannot."""
    pieces: list[str] = []
    rest, rest_mask = line, mask
    first = True
    while len(rest) > limit:
        lead = len(rest) - len(rest.lstrip(" "))
        candidates: list[tuple[int, int]] = []  # (nesting depth, offset)
        depth = 0
        depths = []
        for k in range(len(rest)):
            depths.append(depth)
            if rest_mask[k] == "c":
                depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(rest[k], 0)
        depths.append(depth)
        for k in range(lead + 1, min(limit, len(rest) - 1) + 1):
            for token in BREAK_AFTER:
                start = k - len(token)
                if start >= lead and rest.startswith(token, start) and all(m == "c" for m in rest_mask[start:k]):
                    if token == "(" and rest[k:k + 1] == ")":
                        continue
                    candidates.append((depths[k], k))
            for token in BREAK_BEFORE:
                if rest.startswith(token, k) and k + 1 <= limit and all(m == "c" for m in rest_mask[k:k + len(token)]):
                    candidates.append((depths[k], k))
        # The shallowest break in the second half of the room (a whole argument or operand per line), else the last one.
        late = [c for c in candidates if c[1] >= lead + (limit - lead) * 2 // 5]
        best = min(late, key=lambda c: (c[0], -c[1]))[1] if late else max((c[1] for c in candidates), default=-1)
        if best < lead + 8:
            split = split_string(rest, rest_mask, limit, language)
            if split is None:
                return None
            head, tail, tail_mask = split
            pieces.append(head)
        else:
            head = rest[:best].rstrip()
            tail = rest[best:]
            tail_mask = rest_mask[best:]
            pieces.append(head)
        stripped = tail.lstrip(" ")
        tail_mask = tail_mask[len(tail) - len(stripped):]
        continuation = indent + "    "
        rest = continuation + stripped
        rest_mask = ["c"] * len(continuation) + tail_mask
        first = False
    pieces.append(rest)
    return None if first else pieces


def split_string(line: str, mask: list[str], limit: int, language: str) -> tuple[str, str, list[str]] | None:
    # A plain one-line string literal that starts before the limit, split at a space so that the head fits.
    tokens: list[tuple[int, int]] = []
    k = 0
    while k < len(mask):
        if mask[k] == "s":
            start = k
            while k < len(mask) and mask[k] == "s":
                k += 1
            tokens.append((start, k))
        else:
            k += 1
    for start, end in reversed(tokens):
        if start >= limit - 4:
            continue
        token = line[start:end]
        after = line[end:].lstrip(" ")[:1]
        if after in (".", "[", "u", "U", "?") or line[:start].rstrip(" ").endswith((".", "is", "!")):
            continue  # "a b".Length, "a b"u8: splitting would change what the expression means
        if language == "cs":
            plain = re.match(r'^(\$?)"(?!")', token)
            if not plain:
                continue
            prefix = plain.group(1)
            quote = '"'
        else:
            prefix = ""
            if token[:1] not in "'\"":
                continue
            quote = token[0]
        body_start = start + len(prefix) + 1
        for cut in range(min(limit - 3, end - 2), body_start + 4, -1):
            if line[cut] == " " and line[cut - 1] != "\\" and hole_depth(line[body_start:cut]) == 0:
                head = line[:cut + 1] + quote + " +"
                if len(head) > limit:
                    continue
                tail = prefix + quote + line[cut + 1:]
                tail_mask = ["s"] * (len(prefix) + 1) + mask[cut + 1:]
                return head, tail, tail_mask
    return None


def hole_depth(body: str) -> int:
    depth, k = 0, 0
    while k < len(body):
        if body.startswith("{{", k) or body.startswith("}}", k):
            k += 2
            continue
        depth += {"{": 1, "}": -1}.get(body[k], 0)
        k += 1
    return depth


def fix_text(text: str, language: str, limit: int) -> tuple[str, list[int]]:
    mask, in_string = lex(text, language)
    lines = text.split("\n")
    out: list[str] = []
    left: list[int] = []
    offset = 0
    for number, line in enumerate(lines):
        line_mask = mask[offset:offset + len(line)]
        offset += len(line) + 1
        if len(line) <= limit or in_string[number]:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        body_kinds = set(line_mask[len(indent):])
        fixed: list[str] | None = None
        if body_kinds == {"m"}:
            fixed = wrap_comment(line, limit)
        elif language != "sh":
            comment_at = next((k for k in range(len(line)) if line_mask[k] == "m"), -1)
            if comment_at > len(indent) and line[comment_at:comment_at + 2] in ("//", "/*"):
                code = line[:comment_at].rstrip()
                comment = indent + line[comment_at:]
                moved = wrap_comment(comment, limit) if len(comment) > limit else [comment]
                code_lines = [code] if len(code) <= limit else break_code(code, line_mask[:len(code)], limit, indent, language)
                if moved is not None and code_lines is not None:
                    fixed = moved + code_lines
            else:
                fixed = break_code(line, line_mask, limit, indent, language)
        if fixed is None:
            out.append(line)
            left.append(number + 1)
        else:
            out.extend(fixed)
    return "\n".join(out), left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fix", action="store_true")
    parser.add_argument("--max", type=int)
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    root = pathlib.Path(__file__).resolve().parent.parent
    limit = args.max or default_max(pathlib.Path(args.paths[0]) if args.paths and pathlib.Path(args.paths[0]).is_dir()
                                    else root)
    failures = 0
    for path in files_under(root, args.paths):
        text = path.read_text(encoding="utf-8-sig" if path.suffix == ".cs" else "utf-8")
        language = language_of(path)
        if args.fix:
            new, _ = fix_text(text, language, limit)
            if new != text:
                raw = path.read_bytes()
                bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
                path.write_text(bom + new, encoding="utf-8")
            text = new
        for number, length in long_lines(text, language, limit):
            print(f"{os.path.relpath(path)}:{number}: {length} characters (at most {limit})")
            failures += 1
    if failures:
        print(f"check-line-length: {failures} line(s) longer than {limit} characters", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
