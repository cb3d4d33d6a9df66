"""The people of a company: members and roles, invitations, access requests; the firm's own view.

An invitation is a single-use token that expires after 7 days. Only its SHA-256 is stored; the token
itself exists in the e-mail only. Removing someone's access deletes their membership and nothing else:
their name stays on every message, history event and approval they made.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from comptoir_core import keys
from comptoir_core.accounts.models import (
    AccessRequestRead,
    AccessRequestStatus,
    ClientRole,
    Contact,
    FeedbackRead,
    FeedbackWrite,
    FirmCompany,
    FirmLink,
    FirmSettings,
    FirmSort,
    InvitationRead,
    InvitationRequest,
    Language,
    MemberRead,
    UserProfile,
)
from comptoir_core.accounts.service import add_member, read_company
from comptoir_core.communication import service as conversations
from comptoir_core.communication import vat
from comptoir_core.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from comptoir_core.identity import CognitoIdentity
from comptoir_core.ids import is_valid_id, new_id
from comptoir_core.notifications import Kind, notify, send_to_address
from comptoir_core.observability import logger
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Membership, Role, authorize

INVITATION_LIFETIME = timedelta(days=7)
ACCOUNTANTS = frozenset({Role.accountant})
ADMINS = frozenset({Role.admin})
REQUEST_READERS = frozenset({Role.admin, Role.accountant})


def _now() -> datetime:
    return datetime.now(UTC)


def _profile(repo: Repository, user_id: str) -> dict:
    return repo.get(keys.user_pk(user_id), keys.USER_PROFILE) or {}


def _members(repo: Repository, company_id: str) -> list[dict]:
    return list(repo.query(keys.company_pk(company_id), sk_prefix="MEMBER#"))


# ---- members and roles ------------------------------------------------------------------------------


def list_users(*, repo: Repository, caller: Caller, company_id: str) -> list[MemberRead]:
    authorize(repo=repo, caller=caller, company_id=company_id)
    users = []
    for member in _members(repo, company_id):
        profile = _profile(repo, member["user_id"])
        users.append(
            MemberRead(
                id=member["user_id"],
                email=profile.get("email", ""),
                name=profile.get("name", ""),
                role=member["role"],
                last_sign_in_at=profile.get("last_sign_in_at"),
            )
        )
    return sorted(users, key=lambda user: (user.role != Role.accountant, user.name.lower()))


def _client_member(repo: Repository, caller: Caller, company_id: str, user_id: str) -> dict:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ACCOUNTANTS)
    member = repo.get(keys.company_pk(company_id), keys.member_sk(user_id)) if user_id else None
    if member is None:
        raise NotFound("user not found")
    if member["role"] == Role.accountant.value:
        raise Forbidden("the firm's accountants are managed by the firm, not here")
    return member


def change_role(
    *, repo: Repository, caller: Caller, company_id: str, user_id: str, role: ClientRole
) -> MemberRead:
    member = _client_member(repo, caller, company_id, user_id)
    repo.put({**member, "role": role.value})
    profile = _profile(repo, user_id)
    return MemberRead(
        id=user_id,
        email=profile.get("email", ""),
        name=profile.get("name", ""),
        role=Role(role.value),
        last_sign_in_at=profile.get("last_sign_in_at"),
    )


def remove_user(*, repo: Repository, caller: Caller, company_id: str, user_id: str) -> None:
    """The person no longer reaches the company; what they did stays, under their name."""
    member = _client_member(repo, caller, company_id, user_id)
    repo.delete(member["pk"], member["sk"])


# ---- invitations ------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    *,
    repo: Repository,
    caller: Caller,
    company_id: str,
    request: InvitationRequest,
    portal_origin: str,
) -> InvitationRead:
    """The firm's accountant invites someone: the e-mail carries their login and a link to choose a password."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ACCOUNTANTS)
    return _invite(
        repo=repo, inviter=caller, company_id=company_id, request=request, portal_origin=portal_origin
    )


def _invite(
    *, repo: Repository, inviter: Caller, company_id: str, request: InvitationRequest, portal_origin: str
) -> InvitationRead:
    for member in _members(repo, company_id):
        if _profile(repo, member["user_id"]).get("email") == request.email:
            raise Conflict(f"{request.email} is already a member of this company")
    company = read_company(repo=repo, company_id=company_id)
    firm = repo.get(keys.firm_pk(company.firm_id), keys.FIRM_PROFILE) or {}
    token = secrets.token_urlsafe(32)
    invitation = InvitationRead(
        company_id=company_id,
        email=request.email,
        name=request.name,
        role=request.role,
        language=request.language,
        invited_by=inviter.user_id,
        expires_at=_now() + INVITATION_LIFETIME,
    )
    repo.replace_versioned(
        {
            "pk": keys.invitation_pk(_token_hash(token)),
            "sk": keys.INVITATION_SK,
            **invitation.model_dump(mode="json"),
        },
        expected_version=0,
    )
    send_to_address(
        kind=Kind.invitation,
        email=request.email,
        language=request.language.value,
        context={
            "name": request.name,
            "inviter": _profile(repo, inviter.user_id).get("name") or inviter.email,
            "firm": firm.get("name", ""),
            "company": company.name,
            "email": request.email,
            "link": f"{portal_origin}/invitations/{token}",
        },
    )
    return invitation


def accept_invitation(
    *, repo: Repository, identity: CognitoIdentity, token: str, password: str
) -> InvitationRead:
    """The link's token sets the password (once, within 7 days) and opens the company to its holder."""
    item = (
        repo.get(keys.invitation_pk(_token_hash(token)), keys.INVITATION_SK)
        if 20 <= len(token) <= 100
        else None
    )
    if item is None:
        raise NotFound("invitation not found")
    if item.get("used_at"):
        raise Gone("this invitation was already used; sign in, or ask for a new one")
    invitation = InvitationRead.model_validate(item)
    if invitation.expires_at <= _now():
        raise Gone("this invitation has expired; ask the firm for a new one")
    identity.check_password(password)
    try:
        repo.replace_versioned({**item, "used_at": _now().isoformat()}, expected_version=int(item["version"]))
    except Conflict as error:
        raise Gone("this invitation was already used; sign in, or ask for a new one") from error
    sub = identity.user_sub(invitation.email)
    if sub is None:
        sub = identity.create_user(email=invitation.email, password=password, name=invitation.name)
    else:
        identity.set_password(email=invitation.email, password=password)
    if not _profile(repo, sub):
        profile = UserProfile(
            id=sub, email=invitation.email, name=invitation.name, language=invitation.language
        )
        repo.put({"pk": keys.user_pk(sub), "sk": keys.USER_PROFILE, **profile.model_dump(mode="json")})
    if repo.get(keys.company_pk(invitation.company_id), keys.member_sk(sub)) is None:
        company = read_company(repo=repo, company_id=invitation.company_id)
        add_member(repo=repo, company=company, user_id=sub, role=Role(invitation.role.value))
    return invitation


# ---- access requests ---------------------------------------------------------------------------------


def request_access(
    *, repo: Repository, caller: Caller, company_id: str, request: InvitationRequest, portal_origin: str
) -> AccessRequestRead:
    """An admin asks the firm to let someone in; the firm's accountants are told by e-mail."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ADMINS)
    access = AccessRequestRead(
        id=new_id("ar"),
        **request.model_dump(),
        status=AccessRequestStatus.pending,
        requested_by=caller.user_id,
        requested_at=_now(),
    )
    repo.replace_versioned(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.access_request_sk(access.id),
            **access.model_dump(mode="json"),
        },
        expected_version=0,
    )
    company = read_company(repo=repo, company_id=company_id)
    accountants = [m["user_id"] for m in _members(repo, company_id) if m["role"] == Role.accountant.value]
    try:
        notify(
            repo=repo,
            kind=Kind.access_request,
            recipients=accountants,
            context={
                "company": company.name,
                "requester": _profile(repo, caller.user_id).get("name") or caller.email,
                "name": request.name,
                "email": request.email,
                "role": request.role.value,
                "link": f"{portal_origin}/companies/{company_id}/access-requests",
            },
        )
    except Exception:
        logger.exception("the access request e-mail could not be sent")
    return access


def list_access_requests(*, repo: Repository, caller: Caller, company_id: str) -> list[AccessRequestRead]:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=REQUEST_READERS)
    found = repo.query(keys.company_pk(company_id), sk_prefix=keys.ACCESS_REQUEST_PREFIX, descending=True)
    return [AccessRequestRead.model_validate(item) for item in found]


def decide_access_request(
    *,
    repo: Repository,
    caller: Caller,
    company_id: str,
    request_id: str,
    approve: bool,
    portal_origin: str,
    role: ClientRole | None = None,
) -> AccessRequestRead:
    """The firm's accountant approves (the person is invited, with `role` if given, else the role asked
    for) or refuses a pending request."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ACCOUNTANTS)
    item = None
    if is_valid_id(request_id, "ar"):
        item = repo.get(keys.company_pk(company_id), keys.access_request_sk(request_id))
    if item is None:
        raise NotFound("access request not found")
    if item["status"] != AccessRequestStatus.pending.value:
        raise Conflict(f"the request is already {item['status']}")
    status = AccessRequestStatus.approved if approve else AccessRequestStatus.refused
    decided = {**item, "status": status.value, "decided_by": caller.user_id, "decided_at": _now().isoformat()}
    if approve and role is not None:
        decided["role"] = role.value
    access = AccessRequestRead.model_validate(decided)
    if approve:
        _invite(
            repo=repo,
            inviter=caller,
            company_id=company_id,
            request=InvitationRequest(
                email=access.email, name=access.name, role=access.role, language=access.language
            ),
            portal_origin=portal_origin,
        )
    repo.replace_versioned(decided, expected_version=int(item["version"]))
    return access


# ---- the firm: its settings, its view of its companies, feedback -------------------------------------


def _accountant_memberships(repo: Repository, caller: Caller) -> list[dict]:
    memberships = repo.query(keys.user_pk(caller.user_id), sk_prefix="COMPANY#", index=keys.GSI1)
    return [m for m in memberships if m["role"] == Role.accountant.value]


def _firm_of(repo: Repository, caller: Caller) -> str:
    """The firm of an accountant (the firm of the companies they manage)."""
    for membership in _accountant_memberships(repo, caller):
        return read_company(repo=repo, company_id=membership["company_id"]).firm_id
    raise Forbidden("this is for the firm's accountants")


def read_firm_settings(*, repo: Repository, firm_id: str) -> FirmSettings:
    item = repo.get(keys.firm_pk(firm_id), keys.FIRM_SETTINGS)
    return FirmSettings.model_validate(item["settings"]) if item else FirmSettings()


def get_firm_settings(*, repo: Repository, caller: Caller) -> FirmSettings:
    return read_firm_settings(repo=repo, firm_id=_firm_of(repo, caller))


def put_firm_settings(*, repo: Repository, caller: Caller, settings: FirmSettings) -> FirmSettings:
    firm_id = _firm_of(repo, caller)
    repo.put(
        {"pk": keys.firm_pk(firm_id), "sk": keys.FIRM_SETTINGS, "settings": settings.model_dump(mode="json")}
    )
    return settings


def company_page(*, repo: Repository, company_id: str, firm_id: str) -> tuple[list[Contact], list[FirmLink]]:
    """The company's accountants and the firm's links selected for it."""
    accountants = []
    for member in _members(repo, company_id):
        if member["role"] == Role.accountant.value:
            profile = _profile(repo, member["user_id"])
            accountants.append(Contact(name=profile.get("name", ""), email=profile.get("email", "")))
    links = [
        link
        for link in read_firm_settings(repo=repo, firm_id=firm_id).links
        if link.companies is None or company_id in link.companies
    ]
    return accountants, links


def firm_companies(*, repo: Repository, caller: Caller, sort: FirmSort) -> list[FirmCompany]:
    """The accountant's home: each company they manage with what waits in it."""
    # Other contexts own these counts: read through them, late, so accounts does not import them at load.
    from comptoir_core.approvals.service import pending_count
    from comptoir_core.documents.store import box_counts
    from comptoir_core.ledger.service import read_years

    lines = []
    for membership in _accountant_memberships(repo, caller):
        company_id = membership["company_id"]
        boxes = box_counts(repo=repo, company_id=company_id)
        in_processing = boxes["processing"]
        member = Membership(company_id=company_id, user_id=caller.user_id, role=Role.accountant)
        lines.append(
            FirmCompany(
                id=company_id,
                name=membership["company_name"],
                documents_in_processing=in_processing,
                boxes=boxes,
                conversations_waiting=conversations.waiting_for(repo=repo, membership=member),
                last_vat_ok=vat.last_ok(repo=repo, company_id=company_id),
                approvals_pending=pending_count(repo=repo, company_id=company_id),
                ledger_updated_at=max(
                    (year.updated_at for year in read_years(repo=repo, company_id=company_id)), default=None
                ),
            )
        )
    orders = {
        FirmSort.name: lambda line: line.name.lower(),
        FirmSort.waiting: lambda line: (-line.conversations_waiting, line.name.lower()),
        FirmSort.in_processing: lambda line: (-line.documents_in_processing, line.name.lower()),
        FirmSort.vat: lambda line: (line.last_vat_ok or "", line.name.lower()),
    }
    return sorted(lines, key=orders[sort])


def give_feedback(
    *, repo: Repository, caller: Caller, feedback: FeedbackWrite, fallback_support: str
) -> FeedbackRead:
    """Kept for the firm(s) of the caller's companies, and e-mailed to each firm's support address."""
    memberships = list(repo.query(keys.user_pk(caller.user_id), sk_prefix="COMPANY#", index=keys.GSI1))
    if not memberships:
        raise Invalid("feedback comes from a member of a company")
    firms = {read_company(repo=repo, company_id=m["company_id"]).firm_id for m in memberships}
    read = FeedbackRead(
        id=new_id("fb"),
        text=feedback.text,
        page=feedback.page,
        by=caller.user_id,
        by_email=caller.email,
        at=_now(),
    )
    profile = _profile(repo, caller.user_id)
    for firm_id in sorted(firms):
        repo.put(
            {"pk": keys.firm_pk(firm_id), "sk": keys.feedback_sk(read.id), **read.model_dump(mode="json")}
        )
        support = read_firm_settings(repo=repo, firm_id=firm_id).support_email or fallback_support
        send_to_address(
            kind=Kind.feedback,
            email=support,
            language=Language.en.value,
            context={
                "author": profile.get("name") or caller.email,
                "email": caller.email,
                "page": feedback.page or "-",
                "text": feedback.text,
            },
        )
    return read


def list_feedback(*, repo: Repository, caller: Caller) -> list[FeedbackRead]:
    firm_id = _firm_of(repo, caller)
    found = repo.query(keys.firm_pk(firm_id), sk_prefix=keys.FEEDBACK_PREFIX, descending=True)
    return [FeedbackRead.model_validate(item) for item in found]
