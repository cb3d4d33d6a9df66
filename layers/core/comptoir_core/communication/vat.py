""" "VAT documents OK": the company tells the firm that every document of a VAT period is in.

The period follows the company's VAT regime (its `vat_regime` setting): `2026-Q3` when quarterly,
`2026-10` when monthly.
"""

import re
from datetime import UTC, datetime

from comptoir_core import keys
from comptoir_core.accounts.service import read_company_settings
from comptoir_core.communication.models import VatPeriod
from comptoir_core.errors import Conflict, Invalid, NotFound
from comptoir_core.notifications import Kind, notify
from comptoir_core.observability import logger
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Role, authorize

DECLARERS = frozenset({Role.admin, Role.user})
ACKNOWLEDGERS = frozenset({Role.accountant})
PATTERNS = {
    "quarterly": (re.compile(r"^20\d\d-Q[1-4]$"), "a quarter such as 2026-Q3"),
    "monthly": (re.compile(r"^20\d\d-(0[1-9]|1[0-2])$"), "a month such as 2026-10"),
}


def _check_period(repo: Repository, company_id: str, period: str) -> str:
    regime = read_company_settings(repo=repo, company_id=company_id).vat_regime
    pattern, words = PATTERNS[regime]
    if not pattern.match(period):
        raise Invalid(f"the company files VAT {regime}: the period is {words}")
    return period


def declare_ok(
    *, repo: Repository, caller: Caller, company_id: str, period: str, link_base: str
) -> VatPeriod:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=DECLARERS)
    _check_period(repo, company_id, period)
    profile = repo.get(keys.user_pk(caller.user_id), keys.USER_PROFILE) or {}
    ok = VatPeriod(
        period=period, ok_at=datetime.now(UTC), by=caller.user_id, by_name=profile.get("name") or caller.email
    )
    try:
        item = {
            "pk": keys.company_pk(company_id),
            "sk": keys.vat_period_sk(period),
            **ok.model_dump(mode="json"),
        }
        repo.replace_versioned(item, expected_version=0)
    except Conflict as error:
        raise Conflict(f"{period} is already OK") from error
    accountants = [
        m["user_id"]
        for m in repo.query(keys.company_pk(company_id), sk_prefix="MEMBER#")
        if m["role"] == Role.accountant.value
    ]
    company = repo.get(keys.company_pk(company_id), keys.COMPANY_PROFILE) or {}
    try:
        notify(
            repo=repo,
            kind=Kind.vat_documents_ok,
            recipients=accountants,
            context={
                "company": company.get("name", ""),
                "period": period,
                "by": ok.by_name,
                "link": f"{link_base}/companies/{company_id}/vat-periods",
            },
        )
    except Exception:
        logger.exception("the VAT documents OK e-mail could not be sent")
    return ok


def withdraw_ok(*, repo: Repository, caller: Caller, company_id: str, period: str) -> None:
    """Take it back, while the accountant has not acknowledged it."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=DECLARERS)
    item = _period(repo, company_id, period)
    if item.get("acknowledged_at"):
        raise Conflict(f"the accountant has acknowledged {period}: it cannot be taken back")
    repo.delete(keys.company_pk(company_id), keys.vat_period_sk(period))


def acknowledge(*, repo: Repository, caller: Caller, company_id: str, period: str) -> VatPeriod:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ACKNOWLEDGERS)
    item = _period(repo, company_id, period)
    if item.get("acknowledged_at"):
        raise Conflict(f"{period} is already acknowledged")
    acknowledged = {
        **item,
        "acknowledged_at": datetime.now(UTC).isoformat(),
        "acknowledged_by": caller.user_id,
    }
    repo.replace_versioned(acknowledged, expected_version=int(item["version"]))
    return VatPeriod.model_validate(acknowledged)


def list_periods(*, repo: Repository, caller: Caller, company_id: str) -> list[VatPeriod]:
    """Newest period first."""
    authorize(repo=repo, caller=caller, company_id=company_id)
    return [
        VatPeriod.model_validate(item)
        for item in repo.query(keys.company_pk(company_id), sk_prefix=keys.VAT_PERIOD_PREFIX, descending=True)
    ]


def last_ok(*, repo: Repository, company_id: str) -> str | None:
    """The latest period declared OK (the firm view)."""
    for item in repo.query(keys.company_pk(company_id), sk_prefix=keys.VAT_PERIOD_PREFIX, descending=True):
        return item["period"]
    return None


def _period(repo: Repository, company_id: str, period: str) -> dict:
    item = repo.get(keys.company_pk(company_id), keys.vat_period_sk(period))
    if item is None:
        raise NotFound(f"{period} is not declared OK")
    return item
