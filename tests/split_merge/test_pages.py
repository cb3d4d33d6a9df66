"""comptoir_pdf.pages on real PDFs: pages are copied, never re-rendered, and nothing needless comes along."""

import io

import pikepdf
import pymupdf
import pytest

from comptoir_pdf import pages
from comptoir_pdf.pages import PageError, PageRef, UnreadablePdf
from tests.split_merge import samples

TEXTS = [f"Page {n} of the sample\nline two of page {n}" for n in range(1, 7)]
# What one part may weigh beyond its pages: the PDF skeleton and resources every page shares (the
# scans' ICC colour profile).
PART_OVERHEAD = 4_000


def test_splitting_by_groups_gives_one_pdf_per_group_with_the_groups_pages_in_order():
    source = samples.text_pdf(TEXTS)

    parts = pages.split(source, [[1, 2], [4], [6, 3]])

    assert [samples.page_texts(p) for p in parts] == [
        [samples.page_texts(source)[0], samples.page_texts(source)[1]],
        [samples.page_texts(source)[3]],
        [samples.page_texts(source)[5], samples.page_texts(source)[2]],
    ]


def test_splitting_at_first_pages_cuts_before_each_of_them():
    source = samples.text_pdf(TEXTS)

    parts = pages.split_at(source, [1, 3, 6])

    assert [pages.page_count(p) for p in parts] == [2, 3, 1]
    assert samples.page_texts(parts[1])[0].startswith("Page 3 of the sample")


def test_first_pages_that_skip_page_one_keep_the_pages_before_as_a_group():
    assert pages.groups_from_first_pages([3, 5], 6) == [[1, 2], [3, 4], [5, 6]]


@pytest.mark.parametrize(
    "groups,problem",
    [
        ([[1, 2], []], "group 2 is empty"),
        ([[1, 7]], "page 7 is out of range: the document has 6 pages"),
        ([[0]], "page 0 is out of range"),
        ([[1, 2], [2, 3]], "page 2 is in more than one group"),
    ],
)
def test_a_bad_group_is_refused_with_a_clear_reason(groups, problem):
    with pytest.raises(PageError, match=problem):
        pages.split(samples.text_pdf(TEXTS), groups)


@pytest.mark.parametrize(
    "first_pages,problem",
    [([], "at least one"), ([1, 9], "out of range"), ([3, 3], "twice"), ([4, 2], "increasing order")],
)
def test_bad_first_pages_are_refused_with_a_clear_reason(first_pages, problem):
    with pytest.raises(PageError, match=problem):
        pages.groups_from_first_pages(first_pages, 6)


def test_text_stays_text_and_scanned_images_are_copied_byte_for_byte():
    text = samples.text_pdf(TEXTS, embed_font=True)
    scan = samples.scanned_pdf(4)

    text_part = pages.split(text, [[2]])[0]
    scan_parts = pages.split(scan, [[1, 2], [3, 4]])

    assert samples.page_texts(text_part) == [samples.page_texts(text)[1]]
    with pymupdf.open(stream=text) as document:
        source_fonts = [(f[1], f[3]) for f in document[1].get_fonts()]
    with pymupdf.open(stream=text_part) as document:
        assert [(f[1], f[3]) for f in document[0].get_fonts()] == source_fonts  # the same embedded font
        assert source_fonts[0][0] != "n/a"
    assert sum((samples.image_digests(p) for p in scan_parts), []) == samples.image_digests(scan)


def test_the_parts_of_a_scanned_split_weigh_at_most_a_tenth_more_than_the_source():
    source = samples.scanned_pdf(12)

    parts = pages.split(source, [[n] for n in range(1, 13)])

    assert sum(len(p) for p in parts) <= 1.1 * len(source) + len(parts) * PART_OVERHEAD


def test_pages_sharing_one_resources_dictionary_take_only_their_own_images_along():
    # Each page inherits a dictionary listing all 8 images: copied as is, every part would carry all 8.
    source = samples.shared_resources_pdf(8)

    parts = pages.split(source, [[1, 2], [3], [4, 5, 6, 7, 8]])

    assert sum(len(p) for p in parts) <= 1.1 * len(source) + len(parts) * PART_OVERHEAD
    assert [len(sum(samples.image_digests(p), [])) for p in parts] == [2, 1, 5]
    every_image = samples.image_digests(source)[0]
    assert sorted(sum((sum(samples.image_digests(p), []) for p in parts), [])) == every_image


def test_a_link_to_a_page_left_behind_does_not_drag_that_page_along():
    source = samples.scanned_pdf(3)
    with pymupdf.open(stream=source) as document:
        document[0].insert_link({"kind": pymupdf.LINK_GOTO, "page": 2, "from": pymupdf.Rect(0, 0, 50, 50)})
        document[1].insert_link({"kind": pymupdf.LINK_GOTO, "page": 0, "from": pymupdf.Rect(0, 0, 50, 50)})
        source = document.tobytes()

    part = pages.split(source, [[1, 2]])[0]

    with pikepdf.open(io.BytesIO(part)) as document:
        objects = [o for o in document.objects if isinstance(o, pikepdf.Dictionary | pikepdf.Stream)]
        assert len([o for o in objects if o.get("/Type") == "/Page"]) == 2
        assert len([o for o in objects if o.get("/Subtype") == "/Image"]) == 2
    with pymupdf.open(stream=part) as document:
        assert document[0].get_links() == []  # it pointed at page 3
        assert [link["page"] for link in document[1].get_links()] == [0]  # page 1 is still there


def test_merging_takes_exactly_the_named_pages_in_the_named_order():
    first = samples.text_pdf(["alpha one", "alpha two", "alpha three"])
    second = samples.text_pdf(["beta one", "beta two"])

    merged = pages.merge([first, second], [PageRef(1, 2), PageRef(0, 1), PageRef(1, 1), PageRef(0, 3)])

    assert samples.page_texts(merged) == ["beta two", "alpha one", "beta one", "alpha three"]


def test_merging_copies_a_font_shared_by_pages_of_one_source_once():
    source = samples.text_pdf(["one", "two", "three", "four"], embed_font=True)
    single = pages.split(source, [[1]])[0]

    merged = pages.merge([source], [PageRef(0, n) for n in (4, 3, 2, 1)])

    assert len(merged) < len(single) + 3 * 1_000


def test_merging_refuses_a_page_named_twice_or_out_of_range():
    source = samples.text_pdf(["one", "two"])

    with pytest.raises(PageError, match="named twice"):
        pages.merge([source], [PageRef(0, 1), PageRef(0, 1)])
    with pytest.raises(PageError, match="page 3 is out of range: the document has 2 pages"):
        pages.merge([source], [PageRef(0, 3)])
    with pytest.raises(PageError, match="at least one page"):
        pages.merge([source], [])


def test_editing_rotates_reorders_and_deletes_pages_in_one_go():
    source = samples.text_pdf(["one", "two", "three", "four"])

    edited = pages.edit(source, rotate={2: 90, 3: -90}, order=[3, 1, 2], delete=[4])

    with pymupdf.open(stream=edited) as document:
        assert [(p.get_text().strip(), p.rotation) for p in document] == [
            ("three", 270),
            ("one", 0),
            ("two", 90),
        ]


def test_rotation_adds_to_the_rotation_a_page_already_has():
    once = pages.edit(samples.text_pdf(["one"]), rotate={1: 270})

    twice = pages.edit(once, rotate={1: 180})

    with pymupdf.open(stream=twice) as document:
        assert document[0].rotation == 90


def test_pages_left_out_of_the_order_follow_the_ones_it_names():
    source = samples.text_pdf(["one", "two", "three", "four"])

    assert samples.page_texts(pages.edit(source, order=[4, 2])) == ["four", "two", "one", "three"]


def test_a_deleted_page_and_its_image_are_gone_from_the_file():
    source = samples.scanned_pdf(3)

    edited = pages.edit(source, delete=[2])

    assert samples.image_digests(edited) == [
        samples.image_digests(source)[0],
        samples.image_digests(source)[2],
    ]
    assert len(edited) < len(source) * 0.75


def test_editing_keeps_document_level_attachments():
    with pikepdf.open(io.BytesIO(samples.text_pdf(["one", "two"]))) as document:
        document.attachments["factur-x.xml"] = pikepdf.AttachedFileSpec(document, b"<xml/>")
        out = io.BytesIO()
        document.save(out)

    edited = pages.edit(out.getvalue(), delete=[1])

    with pikepdf.open(io.BytesIO(edited)) as document:
        assert document.attachments["factur-x.xml"].get_file().read_bytes() == b"<xml/>"


@pytest.mark.parametrize(
    "edit,problem",
    [
        ({"rotate": {1: 45}}, "multiple of 90"),
        ({"rotate": {5: 90}}, "page 5 is out of range"),
        ({"order": [1, 1]}, "named twice"),
        ({"delete": [1, 2, 3]}, "leaves nothing"),
        ({"delete": [2], "order": [2, 1]}, "both deleted and placed"),
        ({"delete": [2], "rotate": {2: 90}}, "both deleted and rotated"),
    ],
)
def test_a_bad_edit_is_refused_with_a_clear_reason(edit, problem):
    with pytest.raises(PageError, match=problem):
        pages.edit(samples.text_pdf(["one", "two", "three"]), **edit)


def test_bytes_that_are_not_a_pdf_are_refused():
    with pytest.raises(UnreadablePdf):
        pages.page_count(b"hello, not a pdf")


def test_a_bookmark_or_link_to_a_deleted_page_does_not_keep_it_in_the_file():
    with pymupdf.open(stream=samples.scanned_pdf(3)) as document:
        document.set_toc([[1, "first", 1], [1, "second", 2]])
        document[0].insert_link({"kind": pymupdf.LINK_GOTO, "page": 1, "from": pymupdf.Rect(0, 0, 50, 50)})
        source = document.tobytes()

    edited = pages.edit(source, delete=[2])

    with pikepdf.open(io.BytesIO(edited)) as document:
        objects = [o for o in document.objects if isinstance(o, pikepdf.Dictionary | pikepdf.Stream)]
        assert len([o for o in objects if o.get("/Type") == "/Page"]) == 2
        assert len([o for o in objects if o.get("/Subtype") == "/Image"]) == 2
    with pymupdf.open(stream=edited) as document:
        assert [title for _, title, page in document.get_toc() if page == 1] == ["first"]
