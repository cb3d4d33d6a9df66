"""The portal's first and daily words: an invitation and a forgotten password through the outbox's links,
a conversation both ways with an attachment, the counter and "VAT documents OK", and the auto-forward
whitelist of the settings. Whole flows in a real browser on the web tests' stack."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import wait_for
from tests.e2e.web.conftest import check_screen, sign_in
from tests.samples import text_pdf

pytestmark = pytest.mark.e2e

ADMIN = "admin@demo.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"
LEA = "lea.talk@e2e.example"
FIRST_PASSWORD = "Premier-Mot-2026"
NEW_PASSWORD = "Nouveau-Mot-2027"


def link_in_mail(stack, email: str, path: str) -> str:
    """The link of the newest e-mail to `email` whose link goes to `path` (the local outbox, as JSON)."""

    def found():
        for mail in stack.request("GET", "/_outbox?format=json").json():
            match = re.search(rf'href="([^"]+{path}[^"]*)"', mail["body"] or "")
            if mail["to"] == [email] and match:
                return match.group(1)
        return None

    link = wait_for(found)
    assert link and link.startswith(stack.url), link
    return link


@pytest.fixture(scope="module")
def demo_company(stack):
    tokens = stack.login(ADMIN)
    me = stack.request("GET", "/accounts/me", token=tokens["id_token"]).json()
    return next(c["id"] for c in me["companies"] if c["name"] == "Demo SRL")


def test_an_invited_person_chooses_a_password_then_resets_a_forgotten_one_through_the_emailed_links(
    page: Page, stack, demo_company
):
    accountant = stack.login(ACCOUNTANT)["id_token"]
    invited = stack.request(
        "POST",
        f"/accounts/companies/{demo_company}/invitations",
        token=accountant,
        body={"email": LEA, "name": "Léa Talk", "role": "user", "language": "fr"},
    )
    assert invited.status == 201, invited.body

    # The invitation e-mail's link opens the page that sets the first password, the rules said in words.
    page.goto(link_in_mail(stack, LEA, "/invitations/"))
    expect(page.get_by_text("Bonjour Léa Talk, vous êtes invité·e pour Demo SRL")).to_be_visible()
    expect(page.get_by_text("au moins 12 caractères")).to_be_visible()
    check_screen(page, "talk-invitation-fr")
    page.locator("main label.lang select").select_option("nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Welkom bij Comptoir")).to_be_visible()
    page.locator("main label.lang select").select_option("fr")
    page.get_by_label("Nouveau mot de passe", exact=True).fill("court")
    page.get_by_label("Le même, une seconde fois").fill("court")
    page.get_by_role("button", name="Choisir ce mot de passe et entrer").click()
    expect(page.get_by_role("alert")).to_contain_text("trop faible")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Le même, une seconde fois").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Choisir ce mot de passe et entrer").click()
    expect(page.locator("header.top")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name=re.compile("Menu utilisateur"))).to_contain_text("Léa Talk")
    lea = stack.login(LEA, FIRST_PASSWORD)["id_token"]
    assert stack.request("GET", "/accounts/me", token=lea).json()["profile"]["language"] == "fr"

    # The user menu works with the keyboard: Escape closes it and gives the focus back to its button.
    menu_button = page.get_by_role("button", name=re.compile("Menu utilisateur"))
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#user-menu")).to_be_visible()
    expect(page.locator("#user-menu a").first).to_be_focused()
    check_screen(page, "talk-user-menu-fr")
    page.keyboard.press("Escape")
    expect(page.locator("#user-menu")).to_be_hidden()
    expect(menu_button).to_be_focused()

    # Feedback from the menu.
    menu_button.click()
    page.locator("#user-menu").get_by_role("link", name="Avis").click()
    page.get_by_label("Votre message").fill("Le portail est clair, merci.")
    check_screen(page, "talk-feedback-fr")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_have_text("Merci ! Votre message est envoyé.")

    menu_button.click()
    page.locator("#user-menu").get_by_role("button", name="Se déconnecter").click()

    # Forgotten: the sign-in page's link, the e-mailed link, a new password, then signed in with it.
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill(LEA)
    check_screen(page, "talk-forgot-fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("status")).to_contain_text("un e-mail avec un lien vient de partir")
    page.goto(link_in_mail(stack, LEA, "/password-reset/"))
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Le même, une seconde fois").fill(NEW_PASSWORD)
    check_screen(page, "talk-reset-fr")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe est changé")
    page.get_by_role("link", name="Retour à la connexion").click()
    sign_in(page, LEA, password=NEW_PASSWORD)
    assert (
        stack.request("POST", "/accounts/login", body={"email": LEA, "password": FIRST_PASSWORD}).status
        == 401
    )


def test_a_conversation_goes_both_ways_with_an_attachment_and_the_client_closes_it(
    page: Page, browser: Browser, stack, demo_company
):
    pdf = text_pdf("Extrait de compte de septembre")
    sign_in(page, ADMIN, language="fr")
    page.get_by_role("link", name="Conversations").click()
    expect(page).to_have_url(re.compile(rf"/c/{demo_company}/conversations$"))

    # The client asks, with an emoji and an attachment, and says the period's VAT documents are in.
    page.get_by_role("button", name="Nouvelle conversation").click()
    page.get_by_label("Objet").fill("Extrait de septembre")
    page.get_by_label("Message").fill("Voici l'extrait demandé ")
    page.locator("#talk-new").get_by_role("button", name="Émoji").click()
    page.get_by_role("button", name="Insérer 👍").click()
    page.locator("#talk-new input[type=file]").set_input_files(
        files=[{"name": "extrait-septembre.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    check_screen(page, "talk-new-conversation-fr")
    page.locator("#talk-new").get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", name="Extrait de septembre")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Voici l'extrait demandé 👍")
    expect(page.get_by_role("button", name="Télécharger extrait-septembre.pdf")).to_be_visible()
    page.get_by_role("button", name="Tous les documents sont là").click()
    expect(page.get_by_role("status")).to_contain_text("signalée complète")
    conversation_url = page.url
    page.locator("header.top").get_by_role("button", name="Documents", exact=True).click()
    page.get_by_role("link", name="Boîtes").click()

    # The accountant, in his own browser, follows the e-mail's link, downloads the file and answers.
    other = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 900}, locale="fr-BE")
    firm = other.new_page()
    try:
        firm.goto(link_in_mail(stack, ACCOUNTANT, "/conversations/"))
        sign_in_here(firm)
        expect(firm).to_have_url(conversation_url)
        with firm.expect_download() as download:
            firm.get_by_role("button", name="Télécharger extrait-septembre.pdf").click()
        assert download.value.suggested_filename == "extrait-septembre.pdf"
        assert Path(download.value.path()).read_bytes() == pdf
        firm.get_by_role("textbox", name="Votre réponse").fill("Bien reçu, merci !")
        firm.get_by_role("button", name="Répondre").click()
        expect(firm.locator(".messages li")).to_have_count(2)
        period_button = firm.get_by_role("button", name=re.compile("Accuser réception de"))
        period_button.first.click()
        expect(firm.get_by_text(re.compile("reçue par la fiduciaire le"))).to_be_visible()
        check_screen(firm, "talk-accountant-conversation-fr")
        # The accountant's settings of the company: its users, with invitations and access requests.
        firm.goto(f"/c/{demo_company}/settings")
        expect(firm.get_by_role("heading", name="Inviter quelqu'un")).to_be_visible()
        expect(firm.get_by_label("Rôle de Alice Admin")).to_have_value("admin")
        check_screen(firm, "talk-accountant-settings-fr")
    finally:
        other.close()

    # The client's counter shows the answer by itself; opening the conversation reads it; the client closes it.
    page.bring_to_front()
    counter = page.locator("header nav .badge")
    expect(counter).to_have_text("1", timeout=25_000)
    page.get_by_role("link", name=re.compile("^Conversations")).click()
    expect(page.locator(".conversations li.waiting")).to_contain_text("Nouveau")
    page.locator(".conversations").get_by_role("link", name=re.compile("Extrait de septembre")).click()
    expect(page.locator(".messages")).to_contain_text("Bien reçu, merci !")
    expect(counter).to_be_hidden(timeout=10_000)
    check_screen(page, "talk-conversation-fr")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Clôturer la conversation").click()
    expect(page.get_by_text(re.compile("^Clôturée le"))).to_be_visible()
    page.get_by_role("button", name="Clôturées").click()
    expect(page.locator(".conversations")).to_contain_text("Extrait de septembre")


def sign_in_here(page: Page) -> None:
    """The sign-in page a deep link led to: signing in goes on to that link."""
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.locator("main label.lang select").select_option("fr")
    page.locator("input[type=email]").fill(ACCOUNTANT)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("header.top")).to_be_visible(timeout=15_000)


def test_the_auto_forward_whitelist_is_saved_and_shown_again_after_a_reload(page: Page, demo_company):
    sign_in(page, ADMIN, language="fr")
    page.goto(f"/c/{demo_company}/settings")
    misc = page.get_by_role("group", name="Divers")
    misc.get_by_label("Transférer automatiquement").check()
    misc.get_by_label("Seulement les expéditeurs de la liste blanche").check()
    misc.get_by_label("Liste blanche", exact=True).fill("factures@fournisseur.be\n@banque.be")
    page.get_by_role("form", name="Transfert automatique").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Transfert automatique enregistré.")).to_be_visible()

    page.reload()
    misc = page.get_by_role("group", name="Divers")
    expect(misc.get_by_label("Liste blanche", exact=True)).to_have_value(
        "factures@fournisseur.be\n@banque.be"
    )
    expect(misc.get_by_label("Transférer automatiquement")).to_be_checked()
    expect(misc.get_by_label("Seulement les expéditeurs de la liste blanche")).to_be_checked()
    check_screen(page, "talk-settings-fr")
