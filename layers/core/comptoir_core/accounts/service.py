"""Accounts use cases. Plain functions over pydantic models; adapters come in as keyword arguments."""

import base64
import json
from datetime import UTC, datetime

from comptoir_core import keys
from comptoir_core.accounts.models import (
    Company,
    CompanyRead,
    CompanySettings,
    CompanySettingsRead,
    CompanySummary,
    Firm,
    Me,
    ProfileUpdate,
    UserProfile,
)
from comptoir_core.accounts.modules import read_modules
from comptoir_core.errors import NotFound
from comptoir_core.identity import CognitoIdentity, Tokens
from comptoir_core.ids import new_id
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Role, authorize

SETTINGS_WRITERS = frozenset({Role.admin})


def sign_in(
    *, identity: CognitoIdentity, email: str, password: str, repo: Repository | None = None
) -> Tokens:
    tokens = identity.sign_in(email, password)
    if repo is not None:
        _note_sign_in(repo, tokens)
    return tokens


def _note_sign_in(repo: Repository, tokens: Tokens) -> None:
    """The members list shows when each person last signed in. The token was just issued by Cognito."""
    payload = tokens.id_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    profile = repo.get(keys.user_pk(claims["sub"]), keys.USER_PROFILE)
    if profile is not None:
        repo.put({**profile, "last_sign_in_at": datetime.now(UTC).isoformat()})


def refresh_session(*, identity: CognitoIdentity, refresh_token: str) -> Tokens:
    return identity.refresh(refresh_token)


def get_me(*, repo: Repository, caller: Caller) -> Me:
    return Me(profile=_profile(repo, caller), companies=list_companies(repo=repo, caller=caller))


def update_me(*, repo: Repository, caller: Caller, update: ProfileUpdate) -> UserProfile:
    changed = _profile(repo, caller).model_copy(update=update.model_dump(exclude_none=True))
    repo.put({"pk": keys.user_pk(caller.user_id), "sk": keys.USER_PROFILE, **changed.model_dump(mode="json")})
    return changed


def list_companies(*, repo: Repository, caller: Caller) -> list[CompanySummary]:
    memberships = repo.query(keys.user_pk(caller.user_id), sk_prefix="COMPANY#", index=keys.GSI1)
    companies = [
        CompanySummary(id=item["company_id"], name=item["company_name"], role=item["role"])
        for item in memberships
    ]
    return sorted(companies, key=lambda company: company.name.lower())


def get_company(*, repo: Repository, caller: Caller, company_id: str) -> CompanyRead:
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    company = _company(repo, company_id)
    firm_item = repo.get(keys.firm_pk(company.firm_id), keys.FIRM_PROFILE)
    if firm_item is None:
        raise NotFound("company not found")
    from comptoir_core.accounts import users  # the company page reads the firm's settings

    accountants, links = users.company_page(repo=repo, company_id=company.id, firm_id=company.firm_id)
    return CompanyRead(
        id=company.id,
        name=company.name,
        vat_number=company.vat_number,
        enterprise_number=company.enterprise_number,
        firm=Firm(id=firm_item["id"], name=firm_item["name"]),
        role=membership.role,
        modules=read_modules(repo=repo, company_id=company.id),
        accountants=accountants,
        links=links,
    )


def get_company_settings(*, repo: Repository, caller: Caller, company_id: str) -> CompanySettingsRead:
    authorize(repo=repo, caller=caller, company_id=company_id)
    return _settings(repo, company_id)


def update_company_settings(
    *,
    repo: Repository,
    caller: Caller,
    company_id: str,
    settings: CompanySettings,
    expected_version: int | None,
) -> CompanySettingsRead:
    """Admins replace the settings; the write only lands on the version that was read."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=SETTINGS_WRITERS)
    current = _settings(repo, company_id)
    version = current.version if expected_version is None else expected_version
    now = datetime.now(UTC)
    item = {
        "pk": keys.company_pk(company_id),
        "sk": keys.COMPANY_SETTINGS,
        "settings": settings.model_dump(mode="json"),
        "updated_at": now.isoformat(),
        "updated_by": caller.user_id,
    }
    written = repo.replace_versioned(item, expected_version=version)
    return CompanySettingsRead(
        settings=settings, version=int(written["version"]), updated_at=now, updated_by=caller.user_id
    )


# Set-up use cases: the local stack's demo data and the firm's onboarding use these.


def create_firm(*, repo: Repository, name: str) -> Firm:
    firm = Firm(id=new_id("fi"), name=name)
    repo.create({"pk": keys.firm_pk(firm.id), "sk": keys.FIRM_PROFILE, **firm.model_dump()})
    return firm


def create_company(*, repo: Repository, firm: Firm, name: str, vat_number: str) -> Company:
    company = Company(
        id=new_id("co"), name=name, vat_number=vat_number, firm_id=firm.id, created_at=datetime.now(UTC)
    )
    repo.create(
        {
            "pk": keys.company_pk(company.id),
            "sk": keys.COMPANY_PROFILE,
            **keys.company_in_firm_gsi1(firm.id, company.id),
            **company.model_dump(mode="json"),
        }
    )
    return company


def create_user_profile(*, repo: Repository, profile: UserProfile) -> None:
    repo.create({"pk": keys.user_pk(profile.id), "sk": keys.USER_PROFILE, **profile.model_dump(mode="json")})


def add_member(*, repo: Repository, company: Company, user_id: str, role: Role) -> None:
    repo.create(
        {
            "pk": keys.company_pk(company.id),
            "sk": keys.member_sk(user_id),
            **keys.membership_gsi1(user_id, company.id),
            "company_id": company.id,
            "company_name": company.name,
            "firm_id": company.firm_id,
            "user_id": user_id,
            "role": role.value,
        }
    )


def read_company(*, repo: Repository, company_id: str) -> Company:
    """A company's profile, for the services acting on its behalf (no caller to check)."""
    return _company(repo, company_id)


def _company(repo: Repository, company_id: str) -> Company:
    item = repo.get(keys.company_pk(company_id), keys.COMPANY_PROFILE)
    if item is None:
        raise NotFound("company not found")
    return Company.model_validate(item)


def _profile(repo: Repository, caller: Caller) -> UserProfile:
    item = repo.get(keys.user_pk(caller.user_id), keys.USER_PROFILE)
    if item is None:
        # Signed up in Cognito but not yet onboarded: a profile from the token, in the default language.
        return UserProfile(id=caller.user_id, email=caller.email, name=caller.email)
    return UserProfile.model_validate(item)


def read_company_settings(*, repo: Repository, company_id: str) -> CompanySettings:
    """The settings as stored, for the services acting on a company's behalf (no caller to check)."""
    return _settings(repo, company_id).settings


def _settings(repo: Repository, company_id: str) -> CompanySettingsRead:
    item = repo.get(keys.company_pk(company_id), keys.COMPANY_SETTINGS)
    if item is None:
        return CompanySettingsRead(settings=CompanySettings(), version=0)
    return CompanySettingsRead(
        settings=CompanySettings.model_validate(item["settings"]),
        version=int(item["version"]),
        updated_at=item.get("updated_at"),
        updated_by=item.get("updated_by"),
    )
