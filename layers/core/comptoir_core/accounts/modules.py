"""Modules per company, set by the firm's accountant; a route of a module that is off answers 404.

Other apps call the gate first thing in each route, after the membership check:

    require_module(repo=wiring.repository(), company_id=cid, module=Module.approvals)
"""

from datetime import UTC, datetime
from enum import StrEnum

from comptoir_core import keys
from comptoir_core.errors import NotFound
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Role, authorize


class Module(StrEnum):
    approvals = "approvals"
    payments = "payments"
    financial = "financial"
    reports = "reports"
    communication = "communication"


MODULE_WRITERS = frozenset({Role.accountant})


def read_modules(*, repo: Repository, company_id: str) -> dict[str, bool]:
    """Every module with whether it is on. A company whose firm never chose has every module on."""
    item = repo.get(keys.company_pk(company_id), keys.COMPANY_MODULES) or {}
    chosen = item.get("modules") or {}
    return {module.value: bool(chosen.get(module.value, True)) for module in Module}


def require_module(*, repo: Repository, company_id: str, module: Module | str) -> None:
    """NotFound when `module` is off for the company: its routes do not exist for it."""
    if not read_modules(repo=repo, company_id=company_id)[Module(module).value]:
        raise NotFound(f"the {Module(module).value} module is off for this company")


def set_modules(
    *, repo: Repository, caller: Caller, company_id: str, changes: dict[Module, bool]
) -> dict[str, bool]:
    """The firm's accountant turns the named modules on or off; the others are kept."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=MODULE_WRITERS)
    return write_modules(repo=repo, company_id=company_id, changes=changes, by=caller.user_id)


def write_modules(
    *, repo: Repository, company_id: str, changes: dict[Module, bool], by: str
) -> dict[str, bool]:
    modules = read_modules(repo=repo, company_id=company_id)
    modules.update({Module(name).value: bool(on) for name, on in changes.items()})
    repo.put(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.COMPANY_MODULES,
            "modules": modules,
            "updated_at": datetime.now(UTC).isoformat(),
            "updated_by": by,
        }
    )
    return modules
