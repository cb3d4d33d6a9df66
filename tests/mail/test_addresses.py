"""Mailbox addresses: one per company and mailbox, unguessable, found back by address, regenerated."""

import re

import pytest

from comptoir_core import wiring
from comptoir_core.documents.models import Mailbox
from comptoir_core.errors import Forbidden, NotFound
from comptoir_core.mail import addresses
from comptoir_core.tenancy import Caller

DOMAIN = "in.comptoir.test"


def _caller(email: str) -> Caller:
    """The demo user's identity as the API would see it (the sub from Cognito)."""
    from comptoir_core import aws
    from comptoir_core.settings import get_settings

    user = aws.client("cognito-idp").admin_get_user(UserPoolId=get_settings().user_pool_id, Username=email)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    return Caller(user_id=sub, email=email)


@pytest.fixture
def demo(demo_companies) -> str:
    return demo_companies["Demo SRL"]


def test_each_mailbox_of_a_company_has_its_own_unguessable_address(demo):
    made = addresses.ensure_addresses(repo=wiring.repository(), company_id=demo, domain=DOMAIN)

    assert [a.mailbox for a in made] == [Mailbox.purchase, Mailbox.sales, Mailbox.misc]
    for address in made:
        assert re.fullmatch(
            rf"demo-srl\.{address.mailbox.value}\.[0-9a-hjkmnp-tv-z]{{10}}@in\.comptoir\.test",
            address.address,
        )
    assert len({a.address for a in made}) == 3


def test_asking_again_gives_the_same_addresses(demo):
    first = addresses.ensure_addresses(repo=wiring.repository(), company_id=demo, domain=DOMAIN)
    again = addresses.ensure_addresses(repo=wiring.repository(), company_id=demo, domain=DOMAIN)

    assert first == again


def test_an_address_resolves_to_its_company_and_mailbox_whatever_its_case(demo):
    sales = addresses.ensure_addresses(repo=wiring.repository(), company_id=demo, domain=DOMAIN)[1]

    found = addresses.resolve_address(repo=wiring.repository(), address=sales.address.upper(), domain=DOMAIN)

    assert (found.company_id, found.mailbox) == (demo, Mailbox.sales)


@pytest.mark.parametrize(
    "address",
    [
        "demo-srl.purchase.0000000000@in.comptoir.test",
        "nobody@in.comptoir.test",
        "../../etc@in.comptoir.test",
        "",
        "no-at-sign",
    ],
)
def test_an_unknown_or_malformed_address_resolves_to_nothing(demo, address):
    assert addresses.resolve_address(repo=wiring.repository(), address=address, domain=DOMAIN) is None


def test_a_known_local_part_on_another_domain_resolves_to_nothing(demo):
    purchase = addresses.ensure_addresses(repo=wiring.repository(), company_id=demo, domain=DOMAIN)[0]
    elsewhere = purchase.address.replace(DOMAIN, "example.be")

    assert addresses.resolve_address(repo=wiring.repository(), address=elsewhere, domain=DOMAIN) is None


def test_a_regenerated_address_replaces_the_old_one_which_stops_working(demo):
    repo = wiring.repository()
    old = addresses.ensure_addresses(repo=repo, company_id=demo, domain=DOMAIN)[0]

    new = addresses.regenerate_address(
        repo=repo,
        caller=_caller("admin@demo.comptoir.local"),
        company_id=demo,
        mailbox="purchase",
        domain=DOMAIN,
    )

    assert new.address != old.address and new.mailbox == Mailbox.purchase
    assert addresses.resolve_address(repo=repo, address=old.address, domain=DOMAIN) is None
    assert (
        addresses.resolve_address(repo=repo, address=new.address, domain=DOMAIN).mailbox == Mailbox.purchase
    )
    assert addresses.ensure_addresses(repo=repo, company_id=demo, domain=DOMAIN)[0] == new


def test_only_an_admin_may_regenerate_an_address(demo):
    for email in ("user@demo.comptoir.local", "accountant@demo.comptoir.local"):
        with pytest.raises(Forbidden):
            addresses.regenerate_address(
                repo=wiring.repository(),
                caller=_caller(email),
                company_id=demo,
                mailbox="sales",
                domain=DOMAIN,
            )


def test_a_stranger_sees_no_addresses(demo):
    with pytest.raises(NotFound):
        addresses.list_addresses(
            repo=wiring.repository(),
            caller=_caller("admin@other.comptoir.local"),
            company_id=demo,
            domain=DOMAIN,
        )


def test_regenerating_an_unknown_mailbox_is_not_found(demo):
    with pytest.raises(NotFound):
        addresses.regenerate_address(
            repo=wiring.repository(),
            caller=_caller("admin@demo.comptoir.local"),
            company_id=demo,
            mailbox="inbox",
            domain=DOMAIN,
        )


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Demo SRL", "demo-srl"),
        ("Boulangerie Éloïse & Fils", "boulangerie-eloise-fils"),
        ("株式会社", "company"),
    ],
)
def test_the_company_part_is_its_name_in_plain_ascii(name, expected):
    assert addresses.slug(name) == expected
