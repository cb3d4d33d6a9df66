"""accounts: sign-in, the caller's profile, companies, company settings and mailbox addresses. Thin: parse,
call, return."""

from chalice import Chalice

from comptoir_core import wiring
from comptoir_core.accounts import service
from comptoir_core.accounts.models import (
    CompanyRead,
    CompanySettingsRead,
    CompanySettingsWrite,
    CompanySummary,
    LoginRequest,
    Me,
    ProfileUpdate,
    RefreshRequest,
    UserProfile,
)
from comptoir_core.api import authorizer, caller_in_company, caller_of, dump, parse_body, view
from comptoir_core.identity import Tokens
from comptoir_core.mail import addresses
from comptoir_core.mail.models import MailboxAddress
from comptoir_core.observability import metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.settings import get_settings
from comptoir_core.tenancy import authorize

app = Chalice(app_name="comptoir-accounts")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir accounts")


@app.route("/login", methods=["POST"])
@documented(body=LoginRequest, answer=Tokens, errors=(401,))
@view
def login():
    request = parse_body(app.current_request, LoginRequest)
    tokens = service.sign_in(identity=wiring.identity(), email=request.email, password=request.password)
    metrics.add_metric(name="SignIn", unit="Count", value=1)
    return dump(tokens)


@app.route("/refresh", methods=["POST"])
@documented(body=RefreshRequest, answer=Tokens, errors=(401,))
@view
def refresh():
    request = parse_body(app.current_request, RefreshRequest)
    return dump(service.refresh_session(identity=wiring.identity(), refresh_token=request.refresh_token))


@app.route("/me", methods=["GET"], authorizer=authorizer)
@documented(answer=Me)
@view
def me():
    return dump(service.get_me(repo=wiring.repository(), caller=caller_of(app.current_request)))


@app.route("/me", methods=["PATCH"], authorizer=authorizer)
@documented(body=ProfileUpdate, answer=UserProfile)
@view
def update_me():
    caller = caller_of(app.current_request)
    update = parse_body(app.current_request, ProfileUpdate)
    return dump(service.update_me(repo=wiring.repository(), caller=caller, update=update))


@app.route("/companies", methods=["GET"], authorizer=authorizer)
@documented(answer=list[CompanySummary])
@view
def companies():
    return dump(service.list_companies(repo=wiring.repository(), caller=caller_of(app.current_request)))


@app.route("/companies/{cid}", methods=["GET"], authorizer=authorizer)
@documented(answer=CompanyRead)
@view
def company(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.get_company(repo=wiring.repository(), caller=caller, company_id=cid))


@app.route("/companies/{cid}/settings", methods=["GET"], authorizer=authorizer)
@documented(answer=CompanySettingsRead)
@view
def company_settings(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.get_company_settings(repo=wiring.repository(), caller=caller, company_id=cid))


@app.route("/companies/{cid}/settings", methods=["PUT"], authorizer=authorizer)
@documented(body=CompanySettingsWrite, answer=CompanySettingsRead, errors=(403, 409))
@view
def replace_company_settings(cid):
    caller = caller_in_company(app.current_request, cid)
    # Membership and role before the body: a stranger learns nothing, not even that the body was wrong.
    authorize(repo=wiring.repository(), caller=caller, company_id=cid, roles=service.SETTINGS_WRITERS)
    write = parse_body(app.current_request, CompanySettingsWrite)
    return dump(
        service.update_company_settings(
            repo=wiring.repository(),
            caller=caller,
            company_id=cid,
            settings=write.settings,
            expected_version=write.version,
        )
    )


@app.route("/companies/{cid}/addresses", methods=["GET"], authorizer=authorizer)
@documented(answer=list[MailboxAddress])
@view
def mailbox_addresses(cid):
    """The e-mail address of each of the company's mailboxes (made on first sight)."""
    caller = caller_in_company(app.current_request, cid)
    return dump(
        addresses.list_addresses(
            repo=wiring.repository(), caller=caller, company_id=cid, domain=get_settings().inbound_domain
        )
    )


@app.route("/companies/{cid}/addresses/{box}/regenerate", methods=["POST"], authorizer=authorizer)
@documented(answer=MailboxAddress, errors=(403,))
@view
def regenerate_mailbox_address(cid, box):
    """Admins: a new address for the mailbox; mail to the old one is refused from now on."""
    caller = caller_in_company(app.current_request, cid)
    return dump(
        addresses.regenerate_address(
            repo=wiring.repository(),
            caller=caller,
            company_id=cid,
            mailbox=box,
            domain=get_settings().inbound_domain,
        )
    )
