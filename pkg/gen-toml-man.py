#!/usr/bin/env python3
"""Generates man/logrotate-toml.5 from docs/toml.md, the TOML reference, so the two cannot drift.

Usage: pkg/gen-toml-man.py [OUTPUT]  (default: print to stdout).
pkg/check-man.sh regenerates it and fails if the committed man page differs.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)


def inline(text):
    """Markdown inline markup to roff."""
    text = text.replace("\\", "\\e")
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # links: keep the text
    text = re.sub(r"``\s*(.+?)\s*``", lambda m: "\\fB" + m.group(1) + "\\fR", text)
    text = re.sub(r"`([^`]+)`", lambda m: "\\fB" + m.group(1) + "\\fR", text)
    text = re.sub(r"\*([^*]+)\*", lambda m: "\\fI" + m.group(1) + "\\fR", text)
    text = text.replace("-", "\\-")
    return text


def line(text):
    """A text line that roff will not take for a request."""
    return "\\&" + text if text[:1] in (".", "'") else text


def convert(md):
    out = [
        ".\\\" Generated from docs/toml.md by pkg/gen-toml-man.py; do not edit.",
        f'.TH LOGROTATE-TOML 5 "2026-11-23" "logrotate-rs {VERSION}" "File Formats"',
        ".SH NAME",
        "logrotate-toml \\- TOML rule files for logrotate-rs",
        ".SH DESCRIPTION",
    ]
    lines = md.splitlines()
    i = 0
    in_code = False
    in_list = False
    while i < len(lines):
        raw = lines[i]
        i += 1
        if raw.startswith("```"):
            if in_code:
                out += [".fi", ".RE"]
            else:
                out += [".RS", ".nf"]
            in_code = not in_code
            continue
        if in_code:
            out.append(line(raw.replace("\\", "\\e")))
            continue
        if raw.startswith("<!--"):
            continue  # a comment
        if raw.startswith("# "):
            continue  # the title: NAME says it
        if raw.startswith("## "):
            out.append(".SH " + raw[3:].upper())
            continue
        if raw.startswith("| "):
            cells = [c.strip() for c in raw.strip().strip("|").split("|")]
            if cells[0] in ("TOML key",) or set(cells[0]) <= set("- "):
                continue
            key, classic, typ, default, what = (cells + ["", "", "", "", ""])[:5]
            out += [".TP", inline(key), f"Classic: {inline(classic)}.", ".br",
                    f"Type: {inline(typ)}.", ".br", f"Default: {inline(default)}."]
            if what:
                out += [".br", line(inline(what))]
            continue
        if raw.startswith("- "):
            out += [".IP \\(bu 2", line(inline(raw[2:]))]
            in_list = True
            continue
        if not raw.strip():
            if in_list:
                in_list = False
            out.append(".PP")
            continue
        out.append(line(inline(raw.strip())))
    out += [".SH SEE ALSO", ".BR logrotate (8),", ".BR logrotate.conf (5),", ".BR logrotated (8)"]
    # Collapse repeated paragraph breaks.
    text = "\n".join(out) + "\n"
    text = re.sub(r"(\.PP\n)+", ".PP\n", text)
    text = re.sub(r"\.PP\n(\.(SH|TP|IP))", r"\1", text)
    text = re.sub(r"(\.SH [^\n]*\n)\.PP\n", r"\1", text)
    return text


def main():
    text = convert((ROOT / "docs" / "toml.md").read_text())
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
