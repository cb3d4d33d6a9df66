"""HTML (an e-mail body, a web invoice) to PDF, with no network access and nothing run.

The HTML is rebuilt from an allow-list before MuPDF lays it out (PyMuPDF's Story): only text and
presentational elements survive; scripts, styles' @import and url(), iframes, objects, forms, links to
stylesheets, <base>, and every reference to another resource (remote, file: or relative) are dropped.
An image stays only as a data: URI (or a cid: one whose bytes the caller hands in, as e-mails do).
MuPDF itself has no HTTP client and is given no archive, so even a reference the allow-list missed
would resolve to nothing; the allow-list is the guarantee, the tests count hits on a local server.

The charset is, in order: the one the caller knows (an e-mail part's), a byte order mark, a <meta>
declaration in the first KiB, UTF-8 if the bytes are valid UTF-8, else windows-1252.
"""

import base64
import codecs
import html
import io
import re
from collections.abc import Mapping
from html.parser import HTMLParser

import pymupdf

from comptoir_pdf.detect import Kind, detect
from comptoir_pdf.errors import TooManyPages

A4 = pymupdf.paper_rect("a4")
MARGIN_PT = 42  # 15 mm
BASE_CSS = """
body { font-family: sans-serif; font-size: 10pt; line-height: 1.3; }
img { max-width: 100%; }
"""
PREScan_WINDOW = 1024

# Kept, with their content (their tags only if in ALLOWED_TAGS).
ALLOWED_TAGS = {
    "a", "abbr", "address", "article", "aside", "b", "big", "blockquote", "br", "caption", "center",
    "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins",
    "kbd", "label", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "s", "samp", "section",
    "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "tt", "u", "ul", "var", "wbr",
}  # fmt: skip
# Dropped with everything inside them.
DROPPED_WITH_CONTENT = {
    "applet", "audio", "canvas", "frameset", "iframe", "map", "math",
    "noembed", "noframes", "object", "script", "select", "style", "svg", "template", "textarea",
    "title", "video", "xml",
}  # fmt: skip
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "frame", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
}  # fmt: skip
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "center", "div", "dl", "figure", "footer", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "align", "alt", "bgcolor", "border", "cellpadding", "cellspacing", "class", "color", "colspan",
    "dir", "face", "height", "id", "lang", "rowspan", "size", "span", "start", "title", "type",
    "valign", "width",
}  # fmt: skip
LINK_SCHEMES = ("http://", "https://", "mailto:")
DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif);base64,[A-Za-z0-9+/=\s]+\Z", re.IGNORECASE)

# CSS: only these properties, and values without any function but colours.
CSS_PROPERTIES = re.compile(
    r"(color|background-color|font|font-(family|size|style|weight|variant)|text-(align|decoration|indent|transform)"
    r"|(margin|padding)(-(top|right|bottom|left))?|border(-(top|right|bottom|left))?(-(width|style|color))?"
    r"|border-(collapse|spacing)|width|height|min-width|max-width|display|vertical-align|line-height"
    r"|white-space|list-style-type|letter-spacing|word-spacing|page-break-(before|after|inside)"
    r"|break-(before|after|inside)|clear|table-layout|visibility)\Z"
)
CSS_COLOUR_FUNCTION = re.compile(r"\b(rgba?|hsla?)\([\d\s.,%/+-]*\)", re.IGNORECASE)
CSS_FORBIDDEN = re.compile(r"[\\<>@{}()]|/\*|expression|javascript|url", re.IGNORECASE)
CSS_SELECTOR = re.compile(r"[\w\s.#,>*:+~=\[\]\-]+\Z")
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# The WHATWG encoding standard reads these labels as windows-1252.
WINDOWS_1252_LABELS = {"ascii", "us-ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "cp819"}


def html_to_pdf(
    html_bytes: bytes | str,
    *,
    encoding: str | None = None,
    inline_images: Mapping[str, bytes] | None = None,
    max_pages: int = 500,
) -> bytes:
    """An A4 PDF of the HTML's visible text and inline images. Fetches nothing, runs nothing.

    `encoding`: the charset the transport declared (an e-mail part's), which wins over <meta>.
    `inline_images`: image bytes by content id, for `cid:` references (without the angle brackets).
    Raises `TooManyPages` past `max_pages` pages.
    """
    text = html_bytes if isinstance(html_bytes, str) else decode_html(html_bytes, encoding=encoding)
    cleaner = _Cleaner(inline_images or {})
    cleaner.feed(text)
    cleaner.close()
    return _lay_out(cleaner.document(), max_pages=max_pages)


def decode_html(data: bytes, *, encoding: str | None = None) -> str:
    """The HTML's text, decoded by the first charset that applies (see the module's docstring)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace")
    declared = encoding
    if declared is None and (found := META_CHARSET.search(data[:PREScan_WINDOW])):
        declared = found.group(1).decode("ascii")
    name = _codec(declared) if declared else None
    if name is None or name == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            name = "cp1252" if name is None else name
    return data.decode(name, errors="replace")


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page cannot declare itself UTF-16 in a <meta> it could be read by ASCII: the standard says UTF-8.
    return "utf-8" if name.startswith("utf-16") or name.startswith("utf-32") else name


def sanitise_css(css: str) -> str:
    """The style sheet's plain rules with allowed declarations; at-rules, imports, url() all gone."""
    css = CSS_COMMENT.sub("", css)
    rules = []
    depth = 0
    selector_start = 0
    skipping = False
    index = 0
    # A small scanner: top-level `selector { declarations }` kept; any @-rule (with its block) dropped.
    while index < len(css):
        char = css[index]
        if depth == 0 and char == "@":
            skipping = True
        elif char == "{":
            if depth == 0:
                selector = css[selector_start:index].strip()
                body_start = index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth <= 0:
                if not skipping and depth == 0 and CSS_SELECTOR.match(selector):
                    declarations = sanitise_declarations(css[body_start:index])
                    if declarations:
                        rules.append(f"{selector} {{ {declarations} }}")
                depth = 0
                skipping = False
                selector_start = index + 1
        elif char == ";" and depth == 0 and skipping:
            skipping = False  # the end of `@import ...;` or `@charset ...;`
            selector_start = index + 1
        index += 1
    return "\n".join(rules)


def sanitise_declarations(declarations: str) -> str:
    """`prop: value; ...` keeping allowed properties whose value calls no function but a colour."""
    kept = []
    for declaration in declarations.split(";"):
        name, colon, value = declaration.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if not colon or not CSS_PROPERTIES.match(name):
            continue
        if not value or CSS_FORBIDDEN.search(CSS_COLOUR_FUNCTION.sub("", value)):
            continue
        kept.append(f"{name}: {value}")
    return "; ".join(kept)


class _Cleaner(HTMLParser):
    """Re-emits the document from an allow-list: the output's structure is ours, every text escaped."""

    def __init__(self, inline_images: Mapping[str, bytes]):
        super().__init__(convert_charrefs=True)
        self.inline_images = {cid.strip("<>").lower(): data for cid, data in inline_images.items()}
        self.out: list[str] = []
        self.styles: list[str] = []
        self.open: list[str] = []
        self.dropping: list[str] = []  # stack of dropped elements we are inside

    def document(self) -> str:
        for tag in reversed(self.open):
            self.out.append(f"</{tag}>")
        self.open.clear()
        style = "\n".join(filter(None, (sanitise_css(raw) for raw in self.styles)))
        head = f"<style>\n{style}\n</style>" if style else ""
        return f"<html><head>{head}</head><body>{''.join(self.out)}</body></html>"

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.dropping:
            if tag == self.dropping[-1] and tag not in VOID_TAGS:
                self.dropping.append(tag)
            return
        if tag in DROPPED_WITH_CONTENT and tag not in VOID_TAGS:
            self.dropping.append(tag)
            if tag == "style":
                self.styles.append("")
            return
        if tag not in ALLOWED_TAGS:
            return  # html, head, body, form, noscript, font-less wrappers: their content stays
        self._close_implied(tag)
        attributes = self._attributes(tag, attrs)
        if tag == "img" and "src" not in attributes:
            return
        rendered = "".join(
            f' {name}="{html.escape(value, quote=True)}"' for name, value in attributes.items()
        )
        self.out.append(f"<{tag}{rendered}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs) -> None:
        """`<x/>`: a start and an end (a void element has no end)."""
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in self.open:
            self._close_to(tag)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            if self.dropping == ["style"] and self.styles:
                self.styles[-1] += data  # sanitised whole in document(): a rule may span two chunks
            return
        self.out.append(html.escape(data, quote=False))

    def _attributes(self, tag: str, attrs) -> dict[str, str]:
        kept: dict[str, str] = {}
        for name, value in attrs:
            value = value or ""
            if name in ALLOWED_ATTRIBUTES:
                kept[name] = value
            elif name == "style":
                declarations = sanitise_declarations(value)
                if declarations:
                    kept[name] = declarations
            elif name == "href" and tag == "a" and value.strip().lower().startswith(LINK_SCHEMES):
                kept[name] = value.strip()
            elif name == "src" and tag == "img" and (source := self._image_source(value)):
                kept[name] = source
        return kept

    def _image_source(self, value: str) -> str | None:
        value = value.strip()
        if DATA_IMAGE.match(value):
            return re.sub(r"\s", "", value)
        if value.lower().startswith("cid:"):
            data = self.inline_images.get(value[4:].strip("<>").lower())
            kind = detect(data) if data else None
            if kind in (Kind.PNG, Kind.JPEG):
                return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
        return None

    def _close_implied(self, tag: str) -> None:
        """The end tags HTML lets authors omit (</p>, </li>, </td>...), so our output nests as theirs."""
        if tag in BLOCK_TAGS and self.open and self.open[-1] == "p":
            self._close_to("p")
        if tag == "li":
            self._close_within("li", stop={"ul", "ol"})
        elif tag in ("dt", "dd"):
            self._close_within("dt", stop={"dl"})
            self._close_within("dd", stop={"dl"})
        elif tag in ("td", "th"):
            self._close_within("td", stop={"tr", "table"})
            self._close_within("th", stop={"tr", "table"})
        elif tag == "tr":
            self._close_within("tr", stop={"table", "thead", "tbody", "tfoot"})
        elif tag in ("thead", "tbody", "tfoot"):
            for section in ("thead", "tbody", "tfoot"):
                self._close_within(section, stop={"table"})

    def _close_within(self, tag: str, *, stop: set[str]) -> None:
        for open_tag in reversed(self.open):
            if open_tag in stop:
                return
            if open_tag == tag:
                self._close_to(tag)
                return

    def _close_to(self, tag: str) -> None:
        while self.open:
            closing = self.open.pop()
            self.out.append(f"</{closing}>")
            if closing == tag:
                return


def _lay_out(document: str, *, max_pages: int) -> bytes:
    story = pymupdf.Story(html=document, user_css=BASE_CSS, em=10)
    where = A4 + (MARGIN_PT, MARGIN_PT, -MARGIN_PT, -MARGIN_PT)
    out = io.BytesIO()
    writer = pymupdf.DocumentWriter(out)
    pages = 0
    more = True
    while more:
        pages += 1
        if pages > max_pages:
            writer.close()
            raise TooManyPages(None, max_pages)
        device = writer.begin_page(A4)
        more, _filled = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    return out.getvalue()
