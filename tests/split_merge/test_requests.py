"""The split, merge and page-edit requests: what they refuse on their own, and the groups they resolve to."""

import pytest
from pydantic import ValidationError

from comptoir_core.errors import Invalid
from comptoir_core.split_merge.models import (
    MergeRequest,
    PageEditRequest,
    SplitRequest,
    resolve_edit,
    resolve_split,
)


def test_first_pages_resolve_to_runs_up_to_the_next_first_page():
    assert resolve_split(SplitRequest(first_pages=[1, 5, 7]), 9) == [[1, 2, 3, 4], [5, 6], [7, 8, 9]]


def test_pages_before_the_first_named_first_page_are_a_document_too():
    assert resolve_split(SplitRequest(first_pages=[3]), 5) == [[1, 2], [3, 4, 5]]


def test_pages_in_no_group_become_one_more_document_in_page_order():
    assert resolve_split(SplitRequest(groups=[[4], [2, 1]]), 6) == [[4], [2, 1], [3, 5, 6]]


def test_discarded_pages_are_in_no_document():
    request = SplitRequest(first_pages=[1, 4], discard=[3, 6])

    assert resolve_split(request, 6) == [[1, 2], [4, 5]]


def test_a_split_that_leaves_a_single_document_is_refused():
    with pytest.raises(Invalid, match="a single document"):
        resolve_split(SplitRequest(groups=[[1, 2, 3]]), 3)


def test_a_page_beyond_the_document_is_refused_with_the_page_count():
    with pytest.raises(Invalid, match="page 4 is out of range: the document has 3 pages"):
        resolve_split(SplitRequest(groups=[[1], [4]]), 3)


@pytest.mark.parametrize(
    "data,problem",
    [
        ({"groups": [[1], []]}, "group 2 is empty"),
        ({"groups": []}, "at least one group"),
        ({"groups": [[1, 2], [2]]}, "page 2 is in more than one group"),
        ({"groups": [[1]], "discard": [1]}, "both in a group and discarded"),
        ({"first_pages": [5, 2]}, "increasing order"),
        ({"first_pages": [2, 2]}, "named twice"),
        ({}, "either groups or first_pages"),
        ({"first_pages": [2], "extra": 1}, "Extra inputs"),
    ],
)
def test_a_split_request_refuses_on_its_own(data, problem):
    with pytest.raises(ValidationError, match=problem):
        SplitRequest.model_validate(data)


def test_a_merge_request_refuses_a_page_named_twice_and_an_empty_list():
    with pytest.raises(ValidationError, match="page 1 of doc_a is named twice"):
        MergeRequest.model_validate(
            {"pages": [{"document": "doc_a", "page": 1}, {"document": "doc_a", "page": 1}]}
        )
    with pytest.raises(ValidationError):
        MergeRequest.model_validate({"pages": []})


def test_a_merge_request_names_its_documents_once_in_order_of_appearance():
    request = MergeRequest.model_validate(
        {
            "pages": [
                {"document": "doc_b", "page": 2},
                {"document": "doc_a", "page": 1},
                {"document": "doc_b", "page": 1},
            ]
        }
    )

    assert request.document_ids == ["doc_b", "doc_a"]


def test_a_page_edit_reads_page_numbers_from_json_keys_and_checks_them_against_the_document():
    request = PageEditRequest.model_validate({"rotate": {"2": 270}, "delete": [1]})

    assert request.rotate == {2: 270}
    with pytest.raises(Invalid, match="page 2 is out of range"):
        resolve_edit(request, 1)
    with pytest.raises(Invalid, match="leaves nothing"):
        resolve_edit(PageEditRequest(delete=[1, 2]), 2)


@pytest.mark.parametrize(
    "data,problem",
    [
        ({}, "give rotate, order or delete"),
        ({"rotate": {"1": 45}}, "multiple of 90"),
        ({"order": [2, 2]}, "named twice in the order"),
        ({"delete": [1], "rotate": {"1": 90}}, "both deleted and placed or rotated"),
    ],
)
def test_a_page_edit_request_refuses_on_its_own(data, problem):
    with pytest.raises(ValidationError, match=problem):
        PageEditRequest.model_validate(data)
