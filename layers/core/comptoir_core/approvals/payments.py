"""What the payments context asks of approvals when a payment is initiated."""

from decimal import Decimal

from comptoir_core.approvals import service
from comptoir_core.approvals.models import PaymentApprovalOutcome
from comptoir_core.repository import Repository
from comptoir_core.settings import Settings, get_settings


def request_payment_approval(
    *,
    repo: Repository,
    company_id: str,
    payment_id: str,
    amount: Decimal,
    initiator_user_id: str,
    rule_id: str | None,
    settings: Settings | None = None,
) -> PaymentApprovalOutcome:
    """Pick the fitting rule (the named one, or the one asking fewest others) and start the chain when the
    payment needs approval. `needs_approval` is False when payment approval is off or the initiator alone
    forms the rule; a named rule that does not fit the amount is Invalid (400)."""
    return service.request_payment_approval(
        repo=repo,
        settings=settings or get_settings(),
        company_id=company_id,
        payment_id=payment_id,
        amount=amount,
        initiator_user_id=initiator_user_id,
        rule_id=rule_id,
    )


def payment_approval_enabled(*, repo: Repository, company_id: str) -> bool:
    return service.read_settings(repo=repo, company_id=company_id).payment_enabled


def withdraw_payment_approval(
    *, repo: Repository, company_id: str, payment_id: str, by: str, settings: Settings | None = None
) -> None:
    """Call when a payment waiting for approval is cancelled (or its amount changes): its chain ends
    `withdrawn` and leaves the payments to approve."""
    service.withdraw_payment_approval(
        repo=repo, settings=settings or get_settings(), company_id=company_id, payment_id=payment_id, by=by
    )
