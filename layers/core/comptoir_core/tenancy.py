"""Who may touch a company: membership and role, checked on every company-scoped call.

A company the caller is not a member of does not exist for them: NotFound, never Forbidden.
"""

from enum import StrEnum

from pydantic import BaseModel

from comptoir_core import keys
from comptoir_core.errors import Forbidden, NotFound
from comptoir_core.ids import is_valid_id
from comptoir_core.repository import Repository


class Role(StrEnum):
    admin = "admin"
    user = "user"
    accountant = "accountant"


EVERY_ROLE = frozenset(Role)


class Caller(BaseModel):
    """The verified identity behind a request (the claims of its Cognito id token)."""

    user_id: str
    email: str


class Membership(BaseModel):
    company_id: str
    user_id: str
    role: Role


def authorize(
    *, repo: Repository, caller: Caller, company_id: str, roles: frozenset[Role] = EVERY_ROLE
) -> Membership:
    if not is_valid_id(company_id, "co"):
        raise NotFound("company not found")
    item = repo.get(keys.company_pk(company_id), keys.member_sk(caller.user_id))
    if item is None:
        raise NotFound("company not found")
    membership = Membership(company_id=company_id, user_id=caller.user_id, role=item["role"])
    if membership.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise Forbidden(f"this needs the role {allowed}; you are {membership.role.value}")
    return membership
