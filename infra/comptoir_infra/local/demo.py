"""The demo data: a firm, two client companies, their users. Made through the real services."""

import secrets
from dataclasses import dataclass

from comptoir_core import wiring
from comptoir_core.accounts import service
from comptoir_core.accounts.models import Language, UserProfile
from comptoir_core.tenancy import Role

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
    return {name: company.id for name, company in companies.items()}


def set_passwords(*, password: str) -> None:
    """Give every demo user `password` (COMPTOIR_DEMO_PASSWORD changed since the data was made)."""
    identity = wiring.identity()
    for user in DEMO_USERS:
        identity.set_password(email=user.email, password=password)
