"""The documentation stands alone: every link leads somewhere inside the repository.

Checked for README.md and every ``docs/**/*.md``: relative links and images resolve to a
file or folder of the repository, ``#anchors`` name a heading of their target (GitHub's
slugs), no link climbs out of the repository, the README stays short, and nothing points
at the design note that used to live outside the repository (``docs/design.md`` replaced it).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README_MAX_LINES = 200

#: What the old external note was called, spelled so that this file does not match itself.
OUTSIDE_NOTE_MARKERS = ("../" + "shared", "shared/" + "DESIGN.md", "DESIGN" + ".md")

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_REFERENCE_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Link:
    """One link target written in a Markdown file."""

    source: Path
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.source.relative_to(ROOT)}:{self.line}: ({self.target})"


def markdown_files() -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _prose_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def links_in(path: Path) -> list[Link]:
    """The inline links, images and reference definitions of a Markdown file (not in code)."""
    found = []
    for number, line in _prose_lines(path):
        prose = _CODE_SPAN.sub("``", line)
        targets = [m.group(1) for m in _INLINE_LINK.finditer(prose)]
        if definition := _REFERENCE_DEFINITION.match(prose):
            targets.append(definition.group(1))
        found += [Link(path, number, target) for target in targets]
    return found


def relative_links() -> list[Link]:
    """Every link that points into the repository (no scheme such as https: or mailto:)."""
    return [
        link
        for path in markdown_files()
        for link in links_in(path)
        if link.target and not _SCHEME.match(link.target)
    ]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors_of(path: Path) -> frozenset[str]:
    """The anchors GitHub gives the headings of a Markdown file (repeats get -1, -2, ...)."""
    seen: dict[str, int] = {}
    anchors = set()
    for _, line in _prose_lines(path):
        if heading := _HEADING.match(line):
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            anchors.add(base if count == 0 else f"{base}-{count}")
    return frozenset(anchors)


def resolve(link: Link) -> tuple[Path, str]:
    """The file a link leads to (not yet checked to exist) and its anchor ("" when none)."""
    path_part, _, anchor = link.target.partition("#")
    if not path_part:
        return link.source, anchor
    base = ROOT if path_part.startswith("/") else link.source.parent
    return (base / path_part.lstrip("/")).resolve(), anchor


def _inside_repository(path: Path) -> bool:
    return path == ROOT or ROOT in path.parents


def _ids(links: list[Link]) -> list[str]:
    return [str(link) for link in links]


LINKS = relative_links()


def test_the_documents_have_links_to_check() -> None:
    assert len(LINKS) > 50, "the link parser found almost nothing: is it broken?"


@pytest.mark.parametrize("link", LINKS, ids=_ids(LINKS))
def test_every_relative_link_leads_to_a_file_or_folder_of_the_repository(link: Link) -> None:
    target, _ = resolve(link)
    assert _inside_repository(target), f"{link} leaves the repository"
    assert target.exists(), f"{link} leads to {target.relative_to(ROOT)}, which does not exist"


@pytest.mark.parametrize(
    "link",
    [link for link in LINKS if "#" in link.target],
    ids=_ids([lk for lk in LINKS if "#" in lk.target]),
)
def test_every_link_to_a_heading_names_a_heading_of_its_target(link: Link) -> None:
    target, anchor = resolve(link)
    assert target.suffix == ".md", f"{link}: an anchor into a file that is not Markdown"
    assert anchor in anchors_of(target), (
        f"{link}: no heading of {target.relative_to(ROOT)} has the anchor #{anchor}; "
        f"it has {', '.join(sorted(anchors_of(target)))}"
    )


def test_no_link_climbs_out_of_the_repository() -> None:
    outside = [str(link) for link in LINKS if not _inside_repository(resolve(link)[0])]
    assert outside == []


def test_every_document_under_docs_is_linked_from_the_readme() -> None:
    readme = ROOT / "README.md"
    linked = {resolve(link)[0] for link in LINKS if link.source == readme}
    unlisted = [str(p.relative_to(ROOT)) for p in markdown_files()[1:] if p not in linked]
    assert unlisted == [], "add them to the README's table of the docs"


def test_the_readme_is_at_most_200_lines() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; move details into docs/ and link them"
    )


def _mentions_of_the_outside_note(paths: list[Path]) -> list[str]:
    mentions = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # binary or unreadable: not documentation
        for number, line in enumerate(text.splitlines(), start=1):
            if any(marker in line for marker in OUTSIDE_NOTE_MARKERS):
                mentions.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    return mentions


def test_the_readme_and_docs_never_point_at_the_design_note_outside_the_repository() -> None:
    mentions = _mentions_of_the_outside_note(markdown_files())
    assert not mentions, "point at docs/design.md instead:\n" + "\n".join(mentions)


def _tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout (or no git): cannot list the tracked files")
    this_file = Path(__file__).resolve()
    paths = (ROOT / name for name in listed.decode().split("\0") if name)
    return [path for path in paths if path.is_file() and path != this_file]


def test_no_tracked_file_points_at_the_design_note_outside_the_repository() -> None:
    mentions = _mentions_of_the_outside_note(_tracked_files())
    assert not mentions, "point at docs/design.md instead:\n" + "\n".join(mentions)
