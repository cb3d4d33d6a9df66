from comptoir_core import keys
from comptoir_core.ids import is_valid_id, new_id


def test_new_ids_carry_their_prefix_and_are_valid():
    document_id = new_id("doc")

    assert document_id.startswith("doc_")
    assert is_valid_id(document_id, "doc")
    assert not is_valid_id(document_id, "co")


def test_ids_made_later_sort_after_earlier_ones():
    import time

    first = new_id("doc")
    time.sleep(0.002)
    assert new_id("doc") > first


def test_ids_are_not_guessable_from_each_other():
    assert len({new_id("co") for _ in range(1000)}) == 1000


def test_anything_that_could_be_a_path_is_not_an_id():
    for value in (
        "co_../../etc/passwd",
        "co_",
        "co_01JD0000000000000000000000",
        "co_01jd0000000000000000000000/x",
    ):
        assert not is_valid_id(value, "co")


def test_company_scoped_items_start_with_the_company_id():
    assert keys.company_pk("co_01jd0000000000000000000000") == "co_01jd0000000000000000000000"
    assert keys.incoming_object_key("co_a", "purchase", "doc_b") == "incoming/co_a/purchase/doc_b"
