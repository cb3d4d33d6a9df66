"""How an approval looks to whoever reads it: pure functions the documents lists and view call."""

from comptoir_core.approvals.models import ApprovalBlock
from comptoir_core.tenancy import Role

TO_APPROVE_BY_ME = "to_approve_by_me"
TO_APPROVE_BY_OTHERS = "to_approve_by_others"


def approval_status_for(
    state: str | None,
    block: ApprovalBlock | None,
    *,
    viewer: str,
    role: Role | str,
    pending: list[str] | None = None,
) -> str | None:
    """The state seen by the caller: `to_approve_by_me` (a pending approver; never an accountant),
    `to_approve_by_others`, `approved`, `rejected`, `expired`, or None when no approval applies."""
    if state is None:
        return None
    if state != "pending":
        return state
    waiting_for = set(pending or ()) | ({p.id for p in block.pending} if block else set())
    if Role(role) != Role.accountant and viewer in waiting_for:
        return TO_APPROVE_BY_ME
    return TO_APPROVE_BY_OTHERS


def approval_filter_matches(wanted: str | None, status: str | None) -> bool:
    """A mailbox list's `?approval=mine|others|approved|rejected|expired` against the caller's status."""
    if wanted is None:
        return True
    return {"mine": TO_APPROVE_BY_ME, "others": TO_APPROVE_BY_OTHERS}.get(wanted, wanted) == status
