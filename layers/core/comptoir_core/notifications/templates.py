"""The e-mails Comptoir sends, in French, Dutch and English: a subject and plain-text paragraphs.

The HTML part is made from the same paragraphs (escaped, links made clickable) and holds no remote
content: no image, no stylesheet, no script, nothing fetched when the message is opened.
"""

import html
import re
from enum import StrEnum


class Kind(StrEnum):
    new_message = "new_message"
    invitation = "invitation"
    access_request = "access_request"
    approval_waiting = "approval_waiting"
    approval_reminder = "approval_reminder"
    invoice_rejected = "invoice_rejected"
    report_ready = "report_ready"
    vat_documents_ok = "vat_documents_ok"
    import_failed = "import_failed"
    feedback = "feedback"
    password_reset = "password_reset"  # noqa: S105 (an e-mail kind)
    digest = "digest"


# kind → language → (subject, body). Bodies are paragraphs separated by blank lines; {names} come from
# the context, and a missing one shows as empty rather than failing the send.
TEMPLATES: dict[Kind, dict[str, tuple[str, str]]] = {
    Kind.new_message: {
        "fr": (
            "{company} : nouveau message — {subject}",
            "{author} a écrit dans la conversation « {subject} » :\n\n{excerpt}\n\nLire et répondre : {link}",
        ),
        "nl": (
            "{company}: nieuw bericht — {subject}",
            "{author} schreef in het gesprek \u201c{subject}\u201d:\n\n{excerpt}\n\nLezen en antwoorden: {link}",
        ),
        "en": (
            "{company}: new message — {subject}",
            "{author} wrote in the conversation \u201c{subject}\u201d:\n\n{excerpt}\n\nRead and answer: {link}",
        ),
    },
    Kind.invitation: {
        "fr": (
            "Votre accès à Comptoir pour {company}",
            "Bonjour {name},\n\n{inviter} vous invite sur Comptoir, le portail de {firm}, pour {company}.\n\n"
            "Votre identifiant : {email}\n\nChoisissez votre mot de passe ici (lien valable 7 jours, une "
            "seule fois) :\n{link}",
        ),
        "nl": (
            "Uw toegang tot Comptoir voor {company}",
            "Beste {name},\n\n{inviter} nodigt u uit op Comptoir, het portaal van {firm}, voor {company}.\n\n"
            "Uw login: {email}\n\nKies hier uw wachtwoord (link 7 dagen geldig, één keer te gebruiken):\n{link}",
        ),
        "en": (
            "Your access to Comptoir for {company}",
            "Hello {name},\n\n{inviter} invites you to Comptoir, the portal of {firm}, for {company}.\n\n"
            "Your login: {email}\n\nChoose your password here (the link works once, for 7 days):\n{link}",
        ),
    },
    Kind.access_request: {
        "fr": (
            "{company} demande un accès pour {name}",
            "{requester} demande un accès à {company} pour {name} ({email}), rôle {role}.\n\n"
            "Approuver ou refuser : {link}",
        ),
        "nl": (
            "{company} vraagt toegang voor {name}",
            "{requester} vraagt toegang tot {company} voor {name} ({email}), rol {role}.\n\n"
            "Goedkeuren of weigeren: {link}",
        ),
        "en": (
            "{company} asks access for {name}",
            "{requester} asks access to {company} for {name} ({email}), role {role}.\n\nApprove or refuse: {link}",
        ),
    },
    Kind.approval_waiting: {
        "fr": (
            "{company} : une facture attend votre approbation",
            "{document} attend votre approbation.\n\n{link}",
        ),
        "nl": (
            "{company}: een factuur wacht op uw goedkeuring",
            "{document} wacht op uw goedkeuring.\n\n{link}",
        ),
        "en": (
            "{company}: an invoice waits for your approval",
            "{document} waits for your approval.\n\n{link}",
        ),
    },
    Kind.approval_reminder: {
        "fr": (
            "Rappel — {company} : une facture attend votre approbation",
            "{document} attend toujours votre approbation.\n\n{link}",
        ),
        "nl": (
            "Herinnering — {company}: een factuur wacht op uw goedkeuring",
            "{document} wacht nog steeds op uw goedkeuring.\n\n{link}",
        ),
        "en": (
            "Reminder — {company}: an invoice waits for your approval",
            "{document} still waits for your approval.\n\n{link}",
        ),
    },
    Kind.invoice_rejected: {
        "fr": (
            "{company} : votre facture a été refusée",
            "{by} a refusé {document}.\n\nMotif : {reason}\n\n{link}",
        ),
        "nl": (
            "{company}: uw factuur werd geweigerd",
            "{by} weigerde {document}.\n\nReden: {reason}\n\n{link}",
        ),
        "en": (
            "{company}: your invoice was rejected",
            "{by} rejected {document}.\n\nReason: {reason}\n\n{link}",
        ),
    },
    Kind.report_ready: {
        "fr": ("{company} : votre rapport est prêt", "Le rapport « {report} » est prêt.\n\n{link}"),
        "nl": ("{company}: uw rapport is klaar", "Het rapport \u201c{report}\u201d is klaar.\n\n{link}"),
        "en": ("{company}: your report is ready", "The report \u201c{report}\u201d is ready.\n\n{link}"),
    },
    Kind.vat_documents_ok: {
        "fr": (
            "{company} : documents TVA complets pour {period}",
            "{by} indique que tous les documents de {period} sont dans Comptoir.\n\n{link}",
        ),
        "nl": (
            "{company}: btw-documenten volledig voor {period}",
            "{by} meldt dat alle documenten van {period} in Comptoir staan.\n\n{link}",
        ),
        "en": (
            "{company}: VAT documents OK for {period}",
            "{by} says every document of {period} is in Comptoir.\n\n{link}",
        ),
    },
    Kind.import_failed: {
        "fr": (
            "{company} : un document n'a pas pu être importé",
            "{document} n'a pas pu être importé : {reason}\n\n{link}",
        ),
        "nl": (
            "{company}: een document kon niet worden ingelezen",
            "{document} kon niet worden ingelezen: {reason}\n\n{link}",
        ),
        "en": (
            "{company}: a document could not be imported",
            "{document} could not be imported: {reason}\n\n{link}",
        ),
    },
    Kind.feedback: {
        "fr": ("Avis de {author}", "{author} ({email}) écrit, depuis {page} :\n\n{text}"),
        "nl": ("Feedback van {author}", "{author} ({email}) schrijft, vanaf {page}:\n\n{text}"),
        "en": ("Feedback from {author}", "{author} ({email}) writes, from {page}:\n\n{text}"),
    },
    Kind.password_reset: {
        "fr": (
            "Comptoir : choisir un nouveau mot de passe",
            "Bonjour {name},\n\nVous avez demandé un nouveau mot de passe pour {email}. Choisissez-le ici "
            "(lien valable 1 heure, une seule fois) :\n{link}\n\nSi ce n'était pas vous, ignorez ce message : "
            "votre mot de passe reste le même.",
        ),
        "nl": (
            "Comptoir: een nieuw wachtwoord kiezen",
            "Beste {name},\n\nU vroeg een nieuw wachtwoord voor {email}. Kies het hier (link 1 uur geldig, "
            "één keer te gebruiken):\n{link}\n\nWas u het niet? Negeer dan dit bericht: uw wachtwoord "
            "blijft hetzelfde.",
        ),
        "en": (
            "Comptoir: choose a new password",
            "Hello {name},\n\nYou asked for a new password for {email}. Choose it here (the link works "
            "once, for 1 hour):\n{link}\n\nIf this was not you, ignore this message: your password stays "
            "the same.",
        ),
    },
    Kind.digest: {
        "fr": ("Comptoir : {count} nouveauté(s)", "Depuis notre dernier e-mail :\n\n{items}\n\n{link}"),
        "nl": (
            "Comptoir: {count} nieuwigheid/nieuwigheden",
            "Sinds onze laatste e-mail:\n\n{items}\n\n{link}",
        ),
        "en": ("Comptoir: {count} new item(s)", "Since our last e-mail:\n\n{items}\n\n{link}"),
    },
}

SIGNATURE = {
    "fr": "— Comptoir, le portail de votre fiduciaire",
    "nl": "— Comptoir, het portaal van uw boekhouder",
    "en": "— Comptoir, your accountant's portal",
}

_URL = re.compile(r"(https?://[^\s<>\"]+)")


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(kind: Kind, language: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of one e-mail in `language` (French when the language is not known)."""
    language = language if language in ("fr", "nl", "en") else "fr"
    subject_template, body_template = TEMPLATES[Kind(kind)][language]
    values = _Blank({key: "" if value is None else str(value) for key, value in context.items()})
    subject = " ".join(subject_template.format_map(values).split())[:200]
    text = body_template.format_map(values) + "\n\n" + SIGNATURE[language] + "\n"
    return subject, text, to_html(subject, text, language)


def to_html(subject: str, text: str, language: str) -> str:
    paragraphs = []
    for paragraph in text.strip().split("\n\n"):
        escaped = html.escape(paragraph)
        linked = _URL.sub(lambda match: f'<a href="{match.group(1)}">{match.group(1)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(subject)}'
        "</title></head><body>" + "".join(paragraphs) + "</body></html>"
    )
