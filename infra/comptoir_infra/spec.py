"""The resource spec: one list of what the system is made of, in plain Python.

Both the CDK stack (`comptoir_infra.stack`) and the local stack (`comptoir_infra.local`) build from
these definitions, so the table, buckets, queues and their wiring exist in one place only.
"""

from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO_ROOT / "functions"
LAYERS_DIR = REPO_ROOT / "layers"
STATEMACHINES_DIR = REPO_ROOT / "infra" / "statemachines"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class Table:
    id: str
    partition_key: str
    sort_key: str
    indexes: tuple[Index, ...]
    ttl_attribute: str


@dataclass(frozen=True)
class Queue:
    id: str
    # How often a message is tried before it goes to the queue's dead-letter queue.
    max_receive_count: int = 5
    # At least six times the consumer's timeout (App.timeout_s), as AWS advises for SQS event sources.
    visibility_timeout_s: int = 360
    # The Chalice app and handler function that consume it.
    consumer_app: str = ""
    consumer_handler: str = ""
    batch_size: int = 5
    # The handler's own memory and timeout when they differ from its app's (App.memory_mb, timeout_s).
    consumer_memory_mb: int | None = None
    consumer_timeout_s: int | None = None
    # A handler of the same app that consumes the dead-letter queue (marks what never finished).
    dead_letter_handler: str = ""

    @property
    def dlq_id(self) -> str:
        return f"{self.id}-dlq"


@dataclass(frozen=True)
class Notification:
    """An S3 object-created event under `prefix` goes to `queue`."""

    prefix: str
    queue: str


@dataclass(frozen=True)
class Topic:
    """An SNS topic whose messages go to `queue` (SNS's envelope around each, not raw delivery)."""

    id: str
    queue: str


@dataclass(frozen=True)
class Bucket:
    id: str
    versioned: bool
    notifications: tuple[Notification, ...] = ()
    # Prefixes whose objects are working material, deleted after so many days: (prefix, days).
    expiring: tuple[tuple[str, int], ...] = ()
    # The portal's browser posts presigned uploads straight to it: CORS lets the portal's origin do that.
    browser_uploads: bool = False


def browser_upload_cors(portal_origin: str) -> dict:
    """The CORS rule of a bucket that takes browser uploads, in S3's shape (the CDK stack and the local
    stack both use it): only the portal's origin, only POST (the presigned form) and PUT, only the
    Content-Type header; the form's fields travel in the body."""
    return {
        "AllowedOrigins": [portal_origin],
        "AllowedMethods": ["POST", "PUT"],
        "AllowedHeaders": ["content-type"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }


@dataclass(frozen=True)
class EncryptionKey:
    """A customer-managed KMS key (rotated yearly in AWS); apps that list it in `uses_keys` may
    encrypt and decrypt with it, and nothing else may."""

    id: str
    description: str


@dataclass(frozen=True)
class UserPool:
    id: str
    client_id: str
    password_min_length: int = 12
    access_token_minutes: int = 60
    refresh_token_days: int = 30


@dataclass(frozen=True)
class App:
    """One Chalice app: its folder under functions/, mounted at /<base_path>."""

    name: str
    uses_table: bool = True
    uses_documents_bucket: bool = False
    uses_user_pool: bool = False
    layers: tuple[str, ...] = ("core",)
    memory_mb: int = 512
    timeout_s: int = 60
    # Queues (ids) the app sends messages to, and KMS keys (ids) it encrypts and decrypts with.
    sends_to: tuple[str, ...] = ()
    uses_keys: tuple[str, ...] = ()
    # Settings (keys of Spec.env) given to this app only: secrets the others have no use for.
    private_env: tuple[str, ...] = ()
    # Sends e-mail through SES (comptoir_core.mailer).
    sends_email: bool = False
    # Prefixes of the documents bucket the app reads and writes (never deletes). Empty both: the whole
    # bucket, for an app that has not named its prefixes yet.
    bucket_reads: tuple[str, ...] = ()
    bucket_writes: tuple[str, ...] = ()
    # Creates Cognito users (AdminCreateUser, AdminSetUserPassword); signing in needs no admin action.
    creates_users: bool = False
    # Secrets Manager secrets (Spec.secrets ids) the app may read.
    reads_secrets: tuple[str, ...] = ()

    @property
    def base_path(self) -> str:
        return self.name.replace("_", "-")

    @property
    def source_dir(self) -> Path:
        return FUNCTIONS_DIR / self.name


@dataclass(frozen=True)
class Layer:
    name: str
    package: str
    # Extras of pyproject.toml whose packages go into the layer next to the package itself.
    extra: str

    @property
    def source_dir(self) -> Path:
        return LAYERS_DIR / self.name


@dataclass(frozen=True)
class StateMachine:
    """A Step Functions state machine from an ASL file in infra/statemachines/; `${Name}` placeholders in
    the file are replaced with the URL of the queue named in `queue_substitutions`."""

    id: str
    definition: str
    queue_substitutions: dict[str, str] = field(default_factory=dict)
    # Apps that start executions and apps that answer its callback tasks.
    started_by: tuple[str, ...] = ()
    answered_by: tuple[str, ...] = ()
    # The settings key (of Spec.env) that carries its ARN to the apps.
    arn_setting: str = ""

    @property
    def definition_path(self) -> Path:
        return STATEMACHINES_DIR / self.definition

    def definition_with(self, queue_urls: dict[str, str]) -> str:
        body = self.definition_path.read_text()
        for name, queue_id in self.queue_substitutions.items():
            body = body.replace("${" + name + "}", queue_urls[queue_id])
        return body


@dataclass(frozen=True)
class Spec:
    table: Table
    buckets: tuple[Bucket, ...]
    queues: tuple[Queue, ...]
    user_pool: UserPool
    apps: tuple[App, ...]
    layers: tuple[Layer, ...]
    # Environment variable names the apps read (comptoir_core.settings.Settings).
    env: dict[str, str] = field(default_factory=dict)
    keys: tuple[EncryptionKey, ...] = ()
    topics: tuple[Topic, ...] = ()
    # Settings only the local stack gives (from the developer's environment); in AWS they come another
    # way (the Dropbox app secret: Secrets Manager, named by its own setting).
    local_only_env: tuple[str, ...] = ()
    # Secrets Manager secrets (ids), made by the stack; apps list those they read (App.reads_secrets).
    secrets: tuple[str, ...] = ()
    state_machines: tuple[StateMachine, ...] = ()

    def app(self, name: str) -> App:
        return next(a for a in self.apps if a.name == name)

    def env_of(self, app: App) -> dict[str, str]:
        """The settings (key: variable name) an app is given: every shared one, and its private ones."""
        private = {name for other in self.apps for name in other.private_env}
        return {
            key: name
            for key, name in self.env.items()
            if key not in self.local_only_env and (key not in private or key in app.private_env)
        }


DOCUMENTS_BUCKET = "documents"
INCOMING_QUEUE = "documents-incoming"
INBOUND_QUEUE = "mail-inbound"  # SES's notifications of the raw messages it stored under inbound/
# SES's receipt rule (its S3 action) publishes here; the local SMTP listener too.
INBOUND_TOPIC = "mail-received"
DROPBOX_QUEUE = "dropbox-accounts"
SPLIT_MERGE_QUEUE = "split-merge-jobs"  # large splits, merges and page edits, started by objects under jobs/
TOKENS_KEY = "tokens"
BOOKS_QUEUE = "books-jobs"  # report jobs (report-jobs/) and large ledger uploads (ledger-uploads/)
DROPBOX_SECRET = "dropbox-app-secret"  # noqa: S105 (the id of a Secrets Manager secret, not a secret)
# The documents worker (its queue's consumer): a 500-page, 50 MB scan in one run.
DOCUMENTS_WORKER_MEMORY_MB = 4096
DOCUMENTS_WORKER_TIMEOUT_S = 900
APPROVALS_QUEUE = "approvals"  # the approval chain's callback tasks and ends, for the approvals worker
APPROVAL_CHAIN = "approval-chain"

SPEC = Spec(
    table=Table(
        id="table",
        partition_key="pk",
        sort_key="sk",
        indexes=(
            Index(name="gsi1", partition_key="gsi1pk", sort_key="gsi1sk"),
            # The document lists, each one index range (keys in comptoir_core.keys): a mailbox or the
            # In processing box, the archive of a tab, the permanent dossier.
            Index(name="gsi2", partition_key="gsi2pk", sort_key="gsi2sk"),
            Index(name="gsi3", partition_key="gsi3pk", sort_key="gsi3sk"),
            Index(name="gsi4", partition_key="gsi4pk", sort_key="gsi4sk"),
        ),
        # Powertools idempotency records expire through this attribute.
        ttl_attribute="expiration",
    ),
    buckets=(
        Bucket(
            id=DOCUMENTS_BUCKET,
            # Originals live here and are kept unchanged forever: versioning guards against overwrite.
            versioned=True,
            notifications=(
                Notification(prefix="incoming/", queue=INCOMING_QUEUE),
                # inbound/ has no object event: SES's own notification (INBOUND_TOPIC) says more.
                Notification(prefix="jobs/", queue=SPLIT_MERGE_QUEUE),
                Notification(prefix="report-jobs/", queue=BOOKS_QUEUE),
                Notification(prefix="ledger-uploads/", queue=BOOKS_QUEUE),
            ),
            # A job's object only starts it; its outcome lives in the table.
            expiring=(("jobs/", 7), ("report-jobs/", 7), ("ledger-uploads/", 7)),
            browser_uploads=True,
        ),
    ),
    queues=(
        # One document a run, sized for the limits we promise: 500 pages, 50 MB (benchmarks/README.md).
        Queue(
            id=INCOMING_QUEUE,
            consumer_app="documents",
            consumer_handler="on_incoming_object",
            batch_size=1,
            consumer_memory_mb=DOCUMENTS_WORKER_MEMORY_MB,
            consumer_timeout_s=DOCUMENTS_WORKER_TIMEOUT_S,
            visibility_timeout_s=6 * DOCUMENTS_WORKER_TIMEOUT_S,
            max_receive_count=3,
            dead_letter_handler="on_incoming_dead_letter",
        ),
        # One raw message at a time: up to 40 MB each.
        Queue(
            id=INBOUND_QUEUE,
            consumer_app="ingest_email",
            consumer_handler="on_inbound_message",
            batch_size=1,
            visibility_timeout_s=6 * 120,
        ),
        # One message per Dropbox account a webhook (or the local poller) announced.
        Queue(
            id=DROPBOX_QUEUE,
            consumer_app="dropbox_webhook",
            consumer_handler="on_dropbox_account",
            visibility_timeout_s=6 * 180,
        ),
        # One job at a time: a 500-page split runs the pipeline for each of its parts.
        Queue(
            id=SPLIT_MERGE_QUEUE,
            consumer_app="split_merge",
            consumer_handler="on_split_merge_job",
            batch_size=1,
            visibility_timeout_s=6 * 900,
        ),
        # One report or ledger import at a time: a year of 100,000 lines is read, checked and summed.
        Queue(
            id=BOOKS_QUEUE,
            consumer_app="reports",
            consumer_handler="on_books_job",
            batch_size=1,
            visibility_timeout_s=6 * 300,
        ),
        # The approval chain's messages: small, and each write they cause is conditional.
        Queue(
            id=APPROVALS_QUEUE,
            consumer_app="approvals",
            consumer_handler="on_approval_message",
            visibility_timeout_s=6 * 60,
        ),
    ),
    user_pool=UserPool(id="users", client_id="web"),
    apps=(
        App(name="accounts", uses_user_pool=True, sends_email=True, creates_users=True),
        App(
            name="documents",
            uses_documents_bucket=True,
            layers=("core", "pdf"),
            memory_mb=1536,
            sends_to=(INCOMING_QUEUE,),
            bucket_reads=("incoming/", "documents/"),
            bucket_writes=("incoming/", "documents/"),
        ),
        # The pdf layer for its type detection (comptoir_pdf.detect), shared with the pipeline.
        App(
            name="ingest_email",
            uses_documents_bucket=True,
            bucket_reads=("inbound/",),
            bucket_writes=("incoming/",),
            layers=("core", "pdf"),
            memory_mb=1024,
            timeout_s=120,
        ),
        # Dropbox's public webhook alone: it sends to the Dropbox queue and reads nothing.
        App(
            name="dropbox_notifications",
            uses_table=False,
            sends_to=(DROPBOX_QUEUE,),
            timeout_s=10,
            memory_mb=256,
            private_env=("dropbox_app_secret_arn",),
            reads_secrets=(DROPBOX_SECRET,),
        ),
        App(
            name="dropbox_webhook",
            uses_documents_bucket=True,
            bucket_writes=("incoming/",),
            sends_to=(DROPBOX_QUEUE,),
            uses_keys=(TOKENS_KEY,),
            timeout_s=180,
            private_env=("dropbox_app_secret_arn",),
            reads_secrets=(DROPBOX_SECRET,),
        ),
        # Pages of up to 500-page PDFs in memory, and the pipeline run on every part it makes.
        App(
            name="split_merge",
            uses_documents_bucket=True,
            bucket_reads=("incoming/", "documents/", "jobs/"),
            bucket_writes=("incoming/", "documents/", "jobs/"),
            layers=("core", "pdf"),
            memory_mb=3008,
            timeout_s=900,
        ),
        # The books: ledger imports, dashboard, CODA, histories, reports (PDF through the pdf layer).
        App(
            name="reports",
            uses_documents_bucket=True,
            layers=("core", "pdf"),
            memory_mb=2048,
            timeout_s=300,
        ),
        # Conversations, their attachments (S3) and the e-mails they send.
        App(name="communication", uses_documents_bucket=True, sends_email=True),
        # SEPA files are kept in the documents bucket (sepa/<company>/<file>.xml).
        App(name="payments", uses_documents_bucket=True),
        # Approval rules, decisions, the chain's worker and the hourly reminders.
        App(name="approvals", sends_email=True),
    ),
    layers=(
        Layer(name="core", package="comptoir_core", extra="core"),
        Layer(name="pdf", package="comptoir_pdf", extra="pdf"),
    ),
    env={
        "stage": "COMPTOIR_STAGE",
        "table": "COMPTOIR_TABLE_NAME",
        "documents_bucket": "COMPTOIR_DOCUMENTS_BUCKET",
        "user_pool_id": "COMPTOIR_USER_POOL_ID",
        "user_pool_client_id": "COMPTOIR_USER_POOL_CLIENT_ID",
        "user_pool_arn": "COMPTOIR_USER_POOL_ARN",
        "inbound_domain": "COMPTOIR_INBOUND_DOMAIN",
        "textract_enabled": "COMPTOIR_TEXTRACT_ENABLED",
        "dropbox_app_key": "COMPTOIR_DROPBOX_APP_KEY",
        # Locally only (the developer's own Dropbox app); in AWS the secret is in Secrets Manager.
        "dropbox_app_secret": "COMPTOIR_DROPBOX_APP_SECRET",
        "dropbox_app_secret_arn": "COMPTOIR_DROPBOX_APP_SECRET_ARN",
        "dropbox_redirect_url": "COMPTOIR_DROPBOX_REDIRECT_URL",
        "dropbox_queue_url": "COMPTOIR_DROPBOX_QUEUE_URL",
        "documents_queue_url": "COMPTOIR_DOCUMENTS_QUEUE_URL",
        "tokens_key_id": "COMPTOIR_TOKENS_KEY_ID",
        # Outgoing e-mail: the links' origin and the verified sender (comptoir_core.notifications).
        "portal_origin": "COMPTOIR_PORTAL_ORIGIN",
        "mail_sender": "COMPTOIR_MAIL_SENDER",
        "approval_chain_arn": "COMPTOIR_APPROVAL_CHAIN_ARN",
        "approvals_queue_url": "COMPTOIR_APPROVALS_QUEUE_URL",
    },
    topics=(Topic(id=INBOUND_TOPIC, queue=INBOUND_QUEUE),),
    local_only_env=("dropbox_app_secret",),
    secrets=(DROPBOX_SECRET,),
    # The Dropbox refresh tokens are encrypted with it (comptoir_core.kms).
    keys=(
        EncryptionKey(id=TOKENS_KEY, description="Comptoir: encrypts the OAuth tokens of linked services"),
    ),
    state_machines=(
        StateMachine(
            id=APPROVAL_CHAIN,
            definition="approval_chain.asl.json",
            queue_substitutions={"ApprovalsQueueUrl": APPROVALS_QUEUE},
            # The pipeline starts invoice chains (documents, and split_merge for the parts it makes);
            # payments starts payment chains; approvals restarts, decides and expires them.
            started_by=("documents", "split_merge", "payments", "approvals"),
            answered_by=("approvals",),
            arn_setting="approval_chain_arn",
        ),
    ),
)
