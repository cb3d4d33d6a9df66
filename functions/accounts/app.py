"""accounts: sign-in, the caller's profile, companies, company settings and mailbox addresses. Thin: parse,
call, return."""

from chalice import Chalice, Response

from comptoir_core import wiring
from comptoir_core.accounts import passwords, service, users
from comptoir_core.accounts.models import (
    Accepted,
    AcceptInvitation,
    AccessDecision,
    AccessRequestRead,
    CompanyRead,
    CompanySettingsRead,
    CompanySettingsWrite,
    CompanySummary,
    FeedbackRead,
    FeedbackWrite,
    FirmCompany,
    FirmQuery,
    FirmSettings,
    ForgottenPassword,
    InvitationRead,
    InvitationRequest,
    InvitationView,
    LoginRequest,
    Me,
    MemberRead,
    ModulesRead,
    ModulesWrite,
    PasswordChange,
    PasswordReset,
    PasswordRules,
    ProfileUpdate,
    RefreshRequest,
    RoleChange,
    UserProfile,
)
from comptoir_core.accounts.modules import set_modules
from comptoir_core.api import authorizer, caller_in_company, caller_of, dump, parse_body, parse_query, view
from comptoir_core.identity import Tokens
from comptoir_core.mail import addresses
from comptoir_core.mail.addresses import MailboxAddress
from comptoir_core.observability import metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.settings import get_settings
from comptoir_core.tenancy import authorize

app = Chalice(app_name="comptoir-accounts")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir accounts")


@app.route("/login", methods=["POST"])
@documented(summary="Sign in with e-mail and password", body=LoginRequest, answer=Tokens, errors=(400, 401))
@view
def login():
    request = parse_body(app.current_request, LoginRequest)
    tokens = service.sign_in(
        identity=wiring.identity(), email=request.email, password=request.password, repo=wiring.repository()
    )
    metrics.add_metric(name="SignIn", unit="Count", value=1)
    return dump(tokens)


@app.route("/refresh", methods=["POST"])
@documented(summary="New tokens from a refresh token", body=RefreshRequest, answer=Tokens, errors=(400, 401))
@view
def refresh():
    request = parse_body(app.current_request, RefreshRequest)
    return dump(service.refresh_session(identity=wiring.identity(), refresh_token=request.refresh_token))


@app.route("/me", methods=["GET"], authorizer=authorizer)
@documented(summary="The caller's profile and companies", answer=Me)
@view
def me():
    return dump(service.get_me(repo=wiring.repository(), caller=caller_of(app.current_request)))


@app.route("/me", methods=["PATCH"], authorizer=authorizer)
@documented(
    summary="Change one's name, language or e-mail choice",
    body=ProfileUpdate,
    answer=UserProfile,
    errors=(400,),
)
@view
def update_me():
    caller = caller_of(app.current_request)
    update = parse_body(app.current_request, ProfileUpdate)
    return dump(service.update_me(repo=wiring.repository(), caller=caller, update=update))


@app.route("/companies", methods=["GET"], authorizer=authorizer)
@documented(summary="The caller's companies and role in each", answer=list[CompanySummary])
@view
def companies():
    return dump(service.list_companies(repo=wiring.repository(), caller=caller_of(app.current_request)))


@app.route("/companies/{cid}", methods=["GET"], authorizer=authorizer)
@documented(
    summary="The company page: modules, accountants, the firm's links", answer=CompanyRead, errors=(404,)
)
@view
def company(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.get_company(repo=wiring.repository(), caller=caller, company_id=cid))


@app.route("/companies/{cid}/settings", methods=["GET"], authorizer=authorizer)
@documented(summary="The company's settings", answer=CompanySettingsRead, errors=(404,))
@view
def company_settings(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.get_company_settings(repo=wiring.repository(), caller=caller, company_id=cid))


@app.route("/companies/{cid}/settings", methods=["PUT"], authorizer=authorizer)
@documented(
    summary="Admins replace the settings (on the version read)",
    body=CompanySettingsWrite,
    answer=CompanySettingsRead,
    errors=(400, 403, 404, 409),
)
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
@documented(summary="The e-mail address of each mailbox", answer=list[MailboxAddress], errors=(404,))
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
@documented(summary="Admins: a new address for the mailbox", answer=MailboxAddress, errors=(403, 404))
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


# ---- users, roles, invitations and access requests -------------------------------------------------

USERS = "/companies/{cid}/users"
ACCESS_REQUESTS = "/companies/{cid}/access-requests"


@app.route(USERS, methods=["GET"], authorizer=authorizer)
@documented(summary="The company's members, roles and last sign-in", answer=list[MemberRead], errors=(404,))
@view
def company_users(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(users.list_users(repo=wiring.repository(), caller=caller, company_id=cid))


@app.route(USERS + "/{uid}", methods=["PUT"], authorizer=authorizer)
@documented(
    summary="The firm's accountant changes a member's role",
    body=RoleChange,
    answer=MemberRead,
    errors=(400, 403, 404),
)
@view
def change_user_role(cid, uid):
    caller = caller_in_company(app.current_request, cid)
    change = parse_body(app.current_request, RoleChange)
    return dump(
        users.change_role(
            repo=wiring.repository(), caller=caller, company_id=cid, user_id=uid, role=change.role
        )
    )


@app.route(USERS + "/{uid}", methods=["DELETE"], authorizer=authorizer)
@documented(
    summary="The firm's accountant removes a member's access (their past actions stay)",
    status=204,
    errors=(403, 404),
)
@view
def remove_user(cid, uid):
    caller = caller_in_company(app.current_request, cid)
    users.remove_user(repo=wiring.repository(), caller=caller, company_id=cid, user_id=uid)
    return Response(body="", status_code=204)


@app.route("/companies/{cid}/invitations", methods=["POST"], authorizer=authorizer)
@documented(
    summary="The firm's accountant invites someone (an e-mail with a link to choose a password)",
    body=InvitationRequest,
    answer=InvitationRead,
    status=201,
    errors=(400, 403, 404, 409),
)
@view
def invite(cid):
    caller = caller_in_company(app.current_request, cid)
    authorize(repo=wiring.repository(), caller=caller, company_id=cid, roles=users.ACCOUNTANTS)
    request = parse_body(app.current_request, InvitationRequest)
    invitation = users.invite(
        repo=wiring.repository(),
        caller=caller,
        company_id=cid,
        request=request,
        portal_origin=get_settings().portal_origin,
    )
    return dump(invitation, status=201)


@app.route("/invitations/{token}", methods=["GET"])
@documented(
    summary="The invitation behind a link: who it is for and which company (the token vouches)",
    answer=InvitationView,
    errors=(404, 410),
)
@view
def view_invitation(token):
    return dump(passwords.view_invitation(repo=wiring.repository(), token=token))


@app.route("/invitations/{token}", methods=["POST"])
@documented(
    summary="Accept an invitation: choose the password (the token works once, for 7 days)",
    body=AcceptInvitation,
    answer=InvitationRead,
    errors=(400, 404, 410),
)
@view
def accept_invitation(token):
    request = parse_body(app.current_request, AcceptInvitation)
    return dump(
        users.accept_invitation(
            repo=wiring.repository(), identity=wiring.identity(), token=token, password=request.password
        )
    )


@app.route(ACCESS_REQUESTS, methods=["POST"], authorizer=authorizer)
@documented(
    summary="An admin asks the firm to give someone access",
    body=InvitationRequest,
    answer=AccessRequestRead,
    status=201,
    errors=(400, 403, 404),
)
@view
def request_access(cid):
    caller = caller_in_company(app.current_request, cid)
    authorize(repo=wiring.repository(), caller=caller, company_id=cid, roles=users.ADMINS)
    request = parse_body(app.current_request, InvitationRequest)
    access = users.request_access(
        repo=wiring.repository(),
        caller=caller,
        company_id=cid,
        request=request,
        portal_origin=get_settings().portal_origin,
    )
    return dump(access, status=201)


@app.route(ACCESS_REQUESTS, methods=["GET"], authorizer=authorizer)
@documented(
    summary="The company's access requests, newest first (admins, accountants)",
    answer=list[AccessRequestRead],
    errors=(403, 404),
)
@view
def access_requests(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(users.list_access_requests(repo=wiring.repository(), caller=caller, company_id=cid))


def _decide(cid, rid, approve: bool):
    caller = caller_in_company(app.current_request, cid)
    # The approval's body is optional: without it, the person gets the role the admin asked for.
    raw = app.current_request.raw_body or b""
    decision = parse_body(app.current_request, AccessDecision) if raw.strip() else AccessDecision()
    return dump(
        users.decide_access_request(
            repo=wiring.repository(),
            caller=caller,
            company_id=cid,
            request_id=rid,
            approve=approve,
            portal_origin=get_settings().portal_origin,
            role=decision.role,
        )
    )


@app.route(ACCESS_REQUESTS + "/{rid}/approve", methods=["POST"], authorizer=authorizer)
@documented(
    summary="The firm's accountant approves a request: the person is invited (optionally with another role)",
    body=AccessDecision,
    answer=AccessRequestRead,
    errors=(400, 403, 404, 409),
)
@view
def approve_access_request(cid, rid):
    return _decide(cid, rid, True)


@app.route(ACCESS_REQUESTS + "/{rid}/refuse", methods=["POST"], authorizer=authorizer)
@documented(
    summary="The firm's accountant refuses a request", answer=AccessRequestRead, errors=(403, 404, 409)
)
@view
def refuse_access_request(cid, rid):
    return _decide(cid, rid, False)


# ---- passwords ----------------------------------------------------------------------------------------


@app.route("/me/password", methods=["POST"], authorizer=authorizer)
@documented(
    summary="Change one's password (the current one is asked)",
    body=PasswordChange,
    status=204,
    errors=(400, 403),
)
@view
def change_password():
    caller = caller_of(app.current_request)
    request = parse_body(app.current_request, PasswordChange)
    wiring.identity().change_password(email=caller.email, current=request.current, new=request.new)
    return Response(body="", status_code=204)


@app.route("/password/rules", methods=["GET"])
@documented(summary="The password policy, for pages to say it in words", answer=PasswordRules)
@view
def password_rules():
    return dump(passwords.password_rules(identity=wiring.identity()))


@app.route("/password/forgot", methods=["POST"])
@documented(
    summary="Forgotten password: a link to choose a new one is e-mailed (the same answer for any address)",
    body=ForgottenPassword,
    answer=Accepted,
    status=202,
    errors=(400,),
)
@view
def forgot_password():
    request = parse_body(app.current_request, ForgottenPassword)
    passwords.forgot_password(
        repo=wiring.repository(),
        identity=wiring.identity(),
        email=request.email,
        language=request.language,
        portal_origin=get_settings().portal_origin,
    )
    return dump(Accepted(), status=202)


@app.route("/password/reset", methods=["POST"])
@documented(
    summary="Forgotten password: the e-mailed link's token sets the new password (once, within the hour)",
    body=PasswordReset,
    status=204,
    errors=(400, 410),
)
@view
def reset_password():
    request = parse_body(app.current_request, PasswordReset)
    passwords.reset_password(
        repo=wiring.repository(), identity=wiring.identity(), token=request.token, password=request.password
    )
    return Response(body="", status_code=204)


# ---- modules, the firm, feedback ------------------------------------------------------------------------


@app.route("/companies/{cid}/modules", methods=["PUT"], authorizer=authorizer)
@documented(
    summary="The firm's accountant turns modules on or off (those named; the others kept)",
    body=ModulesWrite,
    answer=ModulesRead,
    errors=(400, 403, 404),
)
@view
def put_modules(cid):
    caller = caller_in_company(app.current_request, cid)
    authorize(repo=wiring.repository(), caller=caller, company_id=cid, roles=users.ACCOUNTANTS)
    write = parse_body(app.current_request, ModulesWrite)
    modules = set_modules(
        repo=wiring.repository(), caller=caller, company_id=cid, changes=write.model_dump(exclude_none=True)
    )
    return dump(ModulesRead(**modules))


@app.route("/firm/companies", methods=["GET"], authorizer=authorizer)
@documented(
    summary="The accountant's home: each company with its counters",
    query=FirmQuery,
    answer=list[FirmCompany],
    errors=(400,),
)
@view
def firm_companies():
    caller = caller_of(app.current_request)
    query = parse_query(app.current_request, FirmQuery)
    return dump(users.firm_companies(repo=wiring.repository(), caller=caller, sort=query.sort))


@app.route("/firm/settings", methods=["GET"], authorizer=authorizer)
@documented(
    summary="The firm's settings: support address, links shown to its clients",
    answer=FirmSettings,
    errors=(403,),
)
@view
def firm_settings():
    return dump(users.get_firm_settings(repo=wiring.repository(), caller=caller_of(app.current_request)))


@app.route("/firm/settings", methods=["PUT"], authorizer=authorizer)
@documented(
    summary="The firm's accountant sets the firm's settings",
    body=FirmSettings,
    answer=FirmSettings,
    errors=(400, 403),
)
@view
def put_firm_settings():
    caller = caller_of(app.current_request)
    settings = parse_body(app.current_request, FirmSettings)
    return dump(users.put_firm_settings(repo=wiring.repository(), caller=caller, settings=settings))


@app.route("/feedback", methods=["POST"], authorizer=authorizer)
@documented(
    summary="Feedback from any signed-in user, kept and e-mailed to the firm's support",
    body=FeedbackWrite,
    answer=FeedbackRead,
    status=201,
    errors=(400,),
)
@view
def feedback():
    caller = caller_of(app.current_request)
    write = parse_body(app.current_request, FeedbackWrite)
    return dump(
        users.give_feedback(
            repo=wiring.repository(),
            caller=caller,
            feedback=write,
            fallback_support=get_settings().support_email,
        ),
        status=201,
    )


@app.route("/firm/feedback", methods=["GET"], authorizer=authorizer)
@documented(summary="The feedback the firm received, newest first", answer=list[FeedbackRead], errors=(403,))
@view
def firm_feedback():
    return dump(users.list_feedback(repo=wiring.repository(), caller=caller_of(app.current_request)))
