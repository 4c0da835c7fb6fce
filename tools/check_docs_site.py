"""Check the built docs site renders a method page as intended (CI runs it after mkdocs).

    python tools/check_docs_site.py SITE_DIR

On the CreateRefusal page: the API link is a tip admonition, the code and CLI examples and
the result are code blocks with their titles, the parameters are a table, and the
navigation's active path is cdek > Orders management > CreateRefusal, the cdek section being a
link to its index page. Exit 1 naming what is
missing. Standard library only, so it runs in any venv.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

PAGE = Path("cdek") / "CreateRefusal" / "index.html"


class _Page(HTMLParser):
    """Collects what the checks need: admonitions, code-block titles, tables, the active
    navigation path."""

    def __init__(self) -> None:
        super().__init__()
        self.admonitions: list[str] = []  # classes of each admonition
        self.titles: list[str] = []  # text of each code block's title
        self.table_headers: list[str] = []
        self.active_path: list[str] = []
        self.linked: set[str] = set()  # active path entries that are links (index pages)
        self._nav: list[bool] = []  # open nav items: is each active?
        self._text_into: list[str] | None = None
        self._text = ""
        self._end: str | None = None
        self._linked = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "admonition" in classes:
            self.admonitions.append(" ".join(classes))
        if tag == "span" and "filename" in classes:
            self._collect(self.titles, tag)
        if tag == "th":
            self._collect(self.table_headers, tag)
        if tag == "li" and "md-nav__item" in classes:
            self._nav.append("md-nav__item--active" in classes)
        if (
            tag in ("a", "label", "div")  # a section with an index page: a div (Material 9.0)
            and "md-nav__link" in classes
            and self._nav
            and all(self._nav)
            and self._text_into is None
        ):
            self._collect(self.active_path, tag)
        if tag == "a" and self._text_into is self.active_path and dict(attrs).get("href"):
            self._linked = True

    def _collect(self, into: list[str], tag: str) -> None:
        self._text_into, self._text, self._end, self._linked = into, "", tag, False

    def handle_endtag(self, tag: str) -> None:
        if self._text_into is not None and tag == self._end:
            text = " ".join(self._text.split())
            is_nav = self._text_into is self.active_path
            if not is_nav or (text and text not in self.active_path):  # labels repeat links
                self._text_into.append(text)
            if is_nav and self._linked:
                self.linked.add(text)
            self._text_into = None
        if tag == "li" and self._nav:
            self._nav.pop()

    def handle_data(self, data: str) -> None:
        if self._text_into is not None:
            self._text += data


def problems(site: Path) -> list[str]:
    page = site / PAGE
    if not page.is_file():
        return [f"{page} was not built"]
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    found = []
    if not any("tip" in classes.split() for classes in parsed.admonitions):
        found.append(f"no tip admonition (admonitions: {parsed.admonitions})")
    for title in ("Code example", "CLI example", "Result"):
        if title not in parsed.titles:
            found.append(f"no code block titled {title!r} (titles: {parsed.titles})")
    if parsed.table_headers[:4] != ["Parameter", "CLI option", "Type", "Description"]:
        found.append(f"the parameters are not a table (headers: {parsed.table_headers})")
    if parsed.active_path != ["cdek", "Orders management", "CreateRefusal"]:
        found.append(f"the navigation's active path is {parsed.active_path}")
    if "cdek" not in parsed.linked:
        found.append("the cdek section does not open its index page (navigation.indexes)")
    return found


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    found = problems(Path(sys.argv[1]))
    for problem in found:
        print(f"docs site: {problem}", file=sys.stderr)
    if found:
        sys.exit(1)
    print(f"docs site: {PAGE} renders as intended")


if __name__ == "__main__":
    main()
