"""Split, merge and page edits: what the client asks, and what it gets back.

The requests check what they can on their own (an empty group, a page twice, an angle that is not a
right angle); what needs the document (a page out of range) is checked by `resolve_*` against its
page count. Every check fails before anything is written.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from comptoir_core.errors import Invalid

# Documents with more pages than this are split, merged or edited by a job (SQS), not in the request.
SYNC_PAGE_LIMIT = 50
MAX_PAGES = 2000  # no request names more pages than this


class Then(StrEnum):
    keep = "keep"  # the new documents stay in the mailbox
    send = "send"  # they go to the accountant as soon as they are ready


class SplitRequest(BaseModel):
    """Either `groups` (pages of each new document) or `first_pages` (where each new document starts).

    Pages in no group (and not in `discard`) stay together as one remaining document, after the
    groups. `discard` names pages to leave out (blank separator sheets); the source's original keeps them.
    """

    model_config = ConfigDict(extra="forbid")

    groups: list[list[int]] | None = Field(default=None, max_length=MAX_PAGES)
    first_pages: list[int] | None = Field(default=None, max_length=MAX_PAGES)
    discard: list[int] = Field(default_factory=list, max_length=MAX_PAGES)
    then: Then = Then.keep

    @model_validator(mode="after")
    def _one_way_and_no_page_twice(self):
        if (self.groups is None) == (self.first_pages is None):
            raise ValueError("give either groups or first_pages")
        if self.groups is not None:
            if not self.groups:
                raise ValueError("give at least one group")
            seen: set[int] = set()
            for number, group in enumerate(self.groups, start=1):
                if not group:
                    raise ValueError(f"group {number} is empty")
                for page in group:
                    if page in seen:
                        raise ValueError(f"page {page} is in more than one group")
                    seen.add(page)
            if seen & set(self.discard):
                raise ValueError(f"page {min(seen & set(self.discard))} is both in a group and discarded")
        else:
            if not self.first_pages:
                raise ValueError("give at least one first page")
            if len(set(self.first_pages)) != len(self.first_pages):
                raise ValueError("a first page is named twice")
            if self.first_pages != sorted(self.first_pages):
                raise ValueError("first pages must be in increasing order")
        if len(set(self.discard)) != len(self.discard):
            raise ValueError("a discarded page is named twice")
        return self


class PageRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: str = Field(min_length=1, max_length=64)
    page: int


class MergeRequest(BaseModel):
    """One new document with exactly `pages`, in that order; sources whose pages were all used retire."""

    model_config = ConfigDict(extra="forbid")

    pages: list[PageRef] = Field(min_length=1, max_length=MAX_PAGES)
    then: Then = Then.keep

    @model_validator(mode="after")
    def _no_page_twice(self):
        seen: set[tuple[str, int]] = set()
        for ref in self.pages:
            if (ref.document, ref.page) in seen:
                raise ValueError(f"page {ref.page} of {ref.document} is named twice")
            seen.add((ref.document, ref.page))
        return self

    @property
    def document_ids(self) -> list[str]:
        return list(dict.fromkeys(ref.document for ref in self.pages))


class PageEditRequest(BaseModel):
    """Rotate ({"2": 90}, clockwise), put in `order`, `delete`; pages numbered as the document is now."""

    model_config = ConfigDict(extra="forbid")

    rotate: dict[int, int] = Field(default_factory=dict, max_length=MAX_PAGES)
    order: list[int] | None = Field(default=None, max_length=MAX_PAGES)
    delete: list[int] = Field(default_factory=list, max_length=MAX_PAGES)

    @field_validator("rotate")
    @classmethod
    def _right_angles(cls, rotate: dict[int, int]) -> dict[int, int]:
        for page, angle in rotate.items():
            if angle % 90:
                raise ValueError(f"page {page}: a rotation is a multiple of 90 degrees, not {angle}")
        return rotate

    @model_validator(mode="after")
    def _something_and_no_page_twice(self):
        if not self.rotate and self.order is None and not self.delete:
            raise ValueError("give rotate, order or delete")
        if self.order is not None and len(set(self.order)) != len(self.order):
            raise ValueError("a page is named twice in the order")
        if len(set(self.delete)) != len(self.delete):
            raise ValueError("a page to delete is named twice")
        both = set(self.delete) & (set(self.order or ()) | set(self.rotate))
        if both:
            raise ValueError(f"page {min(both)} is both deleted and placed or rotated")
        return self


def check_pages(pages: list[int], total: int) -> None:
    for page in pages:
        if not 1 <= page <= total:
            raise Invalid(f"page {page} is out of range: the document has {total} page{'s' * (total != 1)}")


def resolve_split(request: SplitRequest, total: int) -> list[list[int]]:
    """The groups of pages of the new documents, remaining pages last; Invalid when a page is out of range."""
    check_pages(request.discard, total)
    if request.groups is not None:
        groups = [list(g) for g in request.groups]
        for group in groups:
            check_pages(group, total)
        taken = {p for g in groups for p in g} | set(request.discard)
        remaining = [p for p in range(1, total + 1) if p not in taken]
        if remaining:
            groups.append(remaining)
    else:
        first_pages = request.first_pages or []
        check_pages(first_pages, total)
        starts = first_pages if first_pages[0] == 1 else [1, *first_pages]
        bounds = [*starts, total + 1]
        discard = set(request.discard)
        groups = [
            [p for p in range(bounds[i], bounds[i + 1]) if p not in discard] for i in range(len(starts))
        ]
        groups = [g for g in groups if g]
    if len(groups) < 2:
        raise Invalid("this split gives a single document: name at least two parts")
    return groups


def resolve_edit(request: PageEditRequest, total: int) -> None:
    check_pages([*request.rotate, *(request.order or ()), *request.delete], total)
    if len(request.delete) == total:
        raise Invalid("deleting every page leaves nothing; delete the document instead")


# --- answers -------------------------------------------------------------------------------------


class PartRead(BaseModel):
    id: str
    pages: int


class DocumentsRead(BaseModel):
    """The documents a split, merge or page edit made (or changed)."""

    documents: list[PartRead]


class JobKind(StrEnum):
    split = "split"
    merge = "merge"
    pages = "pages"


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class JobError(BaseModel):
    code: str
    message: str


class Job(BaseModel):
    """A split, merge or page edit of a large document, done by the jobs worker. Stored in the table."""

    id: str
    company_id: str
    kind: JobKind
    status: JobStatus = JobStatus.queued
    # The request as received, and the source documents it names.
    request: dict
    sources: list[str]
    created_by: str
    created_at: datetime
    updated_at: datetime
    attempts: int = 0
    documents: list[PartRead] | None = None
    error: JobError | None = None
    version: int = 0


class JobRead(BaseModel):
    id: str
    kind: JobKind
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    documents: list[PartRead] | None = None
    error: JobError | None = None

    @classmethod
    def of(cls, job: Job) -> "JobRead":
        return cls.model_validate(job.model_dump(include=set(cls.model_fields)))


class JobAccepted(BaseModel):
    job: JobRead


class FirstPageRead(BaseModel):
    page: int
    confidence: float
    reasons: list[str]


class SplitSuggestionRead(BaseModel):
    """Where each invoice seems to start. POST {"groups": groups, "discard": blank_pages} to split so."""

    pages: int
    first_pages: list[FirstPageRead]
    blank_pages: list[int]
    groups: list[list[int]]
