"""Missing documents, asked for: the firm's accountant turns the bank movements no document matches into
a conversation with the client (comptoir_core.communication), in the company's language."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from comptoir_core.bank.models import MovementRead, TransactionsQuery
from comptoir_core.blobs import BlobStore
from comptoir_core.communication.models import ConversationRead, ConversationStart
from comptoir_core.errors import Invalid
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Role, authorize

REQUESTERS = frozenset({Role.accountant})
# A conversation message holds at most 10,000 characters: the lines past this many are counted, not listed.
MAX_LISTED = 80

WORDS = {
    "fr": (
        "Documents manquants",
        "Bonjour,\n\nNous ne trouvons pas de document pour ces mouvements bancaires. "
        "Pouvez-vous nous les envoyer (facture, ticket, contrat) ?",
        "et {n} autres mouvements",
    ),
    "nl": (
        "Ontbrekende documenten",
        "Goeiedag,\n\nWe vinden geen document voor deze bankverrichtingen. "
        "Kunt u ze ons bezorgen (factuur, kasticket, contract)?",
        "en {n} andere verrichtingen",
    ),
    "en": (
        "Missing documents",
        "Hello,\n\nWe find no document for these bank movements. "
        "Could you send them to us (invoice, receipt, contract)?",
        "and {n} other movements",
    ),
}


class MissingDocumentsRequest(BaseModel):
    """Which movements to ask for: the ones named, or every unmatched one in the dates (all when none)."""

    model_config = ConfigDict(extra="forbid")
    movements: list[str] = Field(default_factory=list, max_length=500)
    date_from: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    date_to: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    note: str | None = Field(default=None, max_length=2000)


class MissingDocumentsRequested(BaseModel):
    conversation: ConversationRead
    movements: int


def request_missing_documents(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    request: MissingDocumentsRequest,
    link_base: str,
) -> MissingDocumentsRequested:
    from comptoir_core.bank.service import list_movements
    from comptoir_core.communication.service import start_conversation

    authorize(repo=repo, caller=caller, company_id=company_id, roles=REQUESTERS)
    query = TransactionsQuery.model_validate(
        {"date_from": request.date_from, "date_to": request.date_to, "limit": 500}
    )
    unmatched = list_movements(
        repo=repo, blobs=blobs, company_id=company_id, query=query, unmatched_only=True
    )
    movements = unmatched.movements
    if request.movements:
        wanted = set(request.movements)
        movements = [m for m in movements if m.id in wanted]
        unknown = wanted - {m.id for m in movements}
        if unknown:
            raise Invalid(
                "some movements are not movements without a document",
                details=[
                    {"field": "movements", "problem": f"{m} is unknown or matched"} for m in sorted(unknown)
                ],
            )
    if not movements:
        raise Invalid("no bank movement is without a document: nothing to ask for")
    subject, intro, more = WORDS[_language(repo, company_id)]
    lines = [_line(m) for m in movements[:MAX_LISTED]]
    if len(movements) > MAX_LISTED:
        lines.append(more.format(n=len(movements) - MAX_LISTED))
    parts = [intro, "\n".join(lines)]
    if request.note:
        parts.append(request.note)
    conversation = start_conversation(
        repo=repo,
        blobs=blobs,
        caller=caller,
        company_id=company_id,
        start=ConversationStart(subject=subject, message="\n\n".join(parts)),
        files=[],
        link_base=link_base,
    )
    return MissingDocumentsRequested(conversation=conversation, movements=len(movements))


def _language(repo: Repository, company_id: str) -> str:
    from comptoir_core.accounts.service import read_company_settings

    language = read_company_settings(repo=repo, company_id=company_id).language.value
    return language if language in WORDS else "fr"


def _line(movement: MovementRead) -> str:
    amount = f"{movement.amount:+.2f}".replace(".", ",") if movement.amount != Decimal(0) else "0,00"
    text = movement.structured_reference or movement.communication or ""
    who = movement.counterparty_name or movement.counterparty_iban or ""
    return " · ".join(
        part for part in (movement.date.isoformat(), f"{amount} {movement.currency}", who, text) if part
    )
