"""The demo data: a firm, two client companies, their users and mailbox addresses. Made through the real
services."""

import secrets
from dataclasses import dataclass

from comptoir_core import aws, wiring
from comptoir_core.accounts import service
from comptoir_core.accounts.models import Language, UserProfile
from comptoir_core.accounts.modules import Module, write_modules
from comptoir_core.mail import addresses
from comptoir_core.settings import get_settings
from comptoir_core.tenancy import Caller, Role

FIRM_NAME = "Fiduciaire Demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    language: Language
    roles: dict[str, Role]  # company name → role


DEMO_COMPANY = ("Demo SRL", "BE0417497106")
OTHER_COMPANY = ("Other BV", "BE0403170701")

DEMO_USERS = (
    DemoUser("admin@demo.comptoir.local", "Alice Admin", Language.fr, {"Demo SRL": Role.admin}),
    DemoUser("user@demo.comptoir.local", "Ugo User", Language.nl, {"Demo SRL": Role.user}),
    # The firm's accountant manages both of its client companies.
    DemoUser(
        "accountant@demo.comptoir.local",
        "Ada Accountant",
        Language.fr,
        {"Demo SRL": Role.accountant, "Other BV": Role.accountant},
    ),
    DemoUser("admin@other.comptoir.local", "Otto Other", Language.nl, {"Other BV": Role.admin}),
)


def new_password() -> str:
    """Random, and always within the pool's policy (upper, lower, digit, 12+)."""
    return f"Demo-{secrets.token_urlsafe(9)}-7a"


def seed(*, password: str) -> dict[str, str]:
    """Create the demo firm, companies and users. Returns the company ids by name."""
    repo = wiring.repository()
    identity = wiring.identity()
    firm = service.create_firm(repo=repo, name=FIRM_NAME)
    companies = {
        name: service.create_company(repo=repo, firm=firm, name=name, vat_number=vat)
        for name, vat in (DEMO_COMPANY, OTHER_COMPANY)
    }
    for user in DEMO_USERS:
        sub = identity.create_user(email=user.email, password=password, name=user.name)
        service.create_user_profile(
            repo=repo, profile=UserProfile(id=sub, email=user.email, name=user.name, language=user.language)
        )
        for company_name, role in user.roles.items():
            service.add_member(repo=repo, company=companies[company_name], user_id=sub, role=role)
    # The demo company has every module on, and files VAT quarterly: the settings' default
    # (CompanySettings.vat_regime), so its settings stay unwritten (version 0) as before.
    demo_company = companies[DEMO_COMPANY[0]]
    write_modules(repo=repo, company_id=demo_company.id, changes=dict.fromkeys(Module, True), by="demo")
    for company in companies.values():
        addresses.ensure_addresses(repo=repo, company_id=company.id, domain=get_settings().inbound_domain)
    return {name: company.id for name, company in companies.items()}


def is_mailbox_address(address: str) -> bool:
    """Whether mail to `address` reaches a mailbox (the SMTP listener's RCPT check)."""
    found = addresses.resolve_address(
        repo=wiring.repository(), address=address, domain=get_settings().inbound_domain
    )
    return found is not None


def address_lines() -> str:
    """The demo companies' mailbox addresses, for the banner (made for data from before they existed)."""
    lines = []
    for name, company_id in _demo_company_ids().items():
        made = addresses.ensure_addresses(
            repo=wiring.repository(), company_id=company_id, domain=get_settings().inbound_domain
        )
        lines += [f"    {name:<10} {a.mailbox.value:<9} {a.address}" for a in made]
    return "".join(line + "\n" for line in lines)


def _demo_company_ids() -> dict[str, str]:
    """The companies the demo accountant manages (all of them), by name."""
    accountant = next(user for user in DEMO_USERS if Role.accountant in user.roles.values())
    found = aws.client("cognito-idp").admin_get_user(
        UserPoolId=get_settings().user_pool_id, Username=accountant.email
    )
    sub = next(a["Value"] for a in found["UserAttributes"] if a["Name"] == "sub")
    companies = service.list_companies(
        repo=wiring.repository(), caller=Caller(user_id=sub, email=accountant.email)
    )
    return {company.name: company.id for company in companies}


def set_passwords(*, password: str) -> None:
    """Give every demo user `password` (COMPTOIR_DEMO_PASSWORD changed since the data was made)."""
    identity = wiring.identity()
    for user in DEMO_USERS:
        identity.set_password(email=user.email, password=password)
