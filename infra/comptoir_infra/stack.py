"""The whole of Comptoir on AWS, built from the resource spec (comptoir_infra.spec)."""

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import (
    Acknowledgment,
    Aws,
    CfnCondition,
    CfnOutput,
    CfnParameter,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Validations,
)
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as sns_subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from comptoir_infra import spec as specs
from comptoir_infra.chalice_apps import RUNTIME, ChaliceApi, Resources, add_chalice_app
from comptoir_infra.layers import DEFAULT_BUILD_DIR, stage_layer
from comptoir_infra.names import construct_name
from comptoir_infra.web_hosting import VIEWER_IP_HEADER, WebHosting

# SES writes each raw inbound message under this prefix of the documents bucket.
INBOUND_PREFIX = "inbound/"
# Every API stage: steady requests per second and burst, per API (API Gateway's own throttling).
API_RATE_LIMIT = 100
API_BURST_LIMIT = 200
# The API definition's binary media types (Chalice writes its apps' own there; the stack widens them).
BINARY_MEDIA_TYPES = "DefinitionBody.x-amazon-apigateway-binary-media-types"
# Sign-in attempts one IP address may make in 5 minutes (WAF's window) before it is blocked.
LOGIN_RATE_LIMIT = 100


@dataclass(frozen=True)
class Parameters:
    domain_name: str
    certificate_arn: str
    inbound_mail_domain: str
    textract_enabled: str
    dropbox_app_key: str
    portal_origin: str
    mail_sender: str


class ComptoirStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: specs.Spec = specs.SPEC,
        stage: str = "prod",
        build_dir: Path = DEFAULT_BUILD_DIR,
        with_layer_dependencies: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        params = self._parameters()
        self.table = self._table(spec.table)
        self.queues = {queue.id: self._queue(queue) for queue in spec.queues}
        self.state_machines = {machine.id: self._state_machine(machine) for machine in spec.state_machines}
        self.buckets = {
            bucket.id: self._bucket(bucket, portal_origin=f"https://{params.domain_name}")
            for bucket in spec.buckets
        }
        self.topics = {topic.id: self._topic(topic) for topic in spec.topics}
        self.keys = {key.id: self._key(key) for key in spec.keys}
        self.secrets = {
            # Its value is the operator's to set (README: Deploying to AWS); until then it is random and
            # Dropbox's signatures are refused. Never a parameter or an environment variable.
            specs.DROPBOX_SECRET: secretsmanager.Secret(
                self,
                "DropboxAppSecretValue",
                description="Comptoir: the Dropbox app secret (checks webhook signatures, signs OAuth states)",
                removal_policy=RemovalPolicy.RETAIN,
            )
        }
        self.user_pool, self.user_pool_client = self._user_pool(spec.user_pool)
        layers = {layer.name: self._layer(layer, build_dir, with_layer_dependencies) for layer in spec.layers}
        textract_enabled = CfnCondition(
            self, "TextractIsEnabled", expression=Fn.condition_equals(params.textract_enabled, "true")
        )
        resources = Resources(
            table=self.table,
            documents_bucket=self.buckets[specs.DOCUMENTS_BUCKET],
            user_pool=self.user_pool,
            queues=self.queues,
            layers=layers,
            textract_enabled=textract_enabled,
        )
        environment = self._environment(spec, stage, params)
        self.apis = [
            add_chalice_app(self, spec, app, resources, environment[app.name], work_dir=build_dir)
            for app in spec.apps
        ]
        for api in self.apis:
            self._grant_keys_and_sends(api.app, api.role)
            self._grant_state_machines(spec, api.app, api.role, params)
        for api in self.apis:
            self._throttle(api)
            self._binary_answers(api)
        self._login_firewall(next(api for api in self.apis if api.app.name == "accounts"))
        self._alarms(spec)
        domain = self._api_domain(params, self.apis)
        self._inbound_mail(params, self.buckets[specs.DOCUMENTS_BUCKET], self.topics[specs.INBOUND_TOPIC])
        self._outputs(domain)
        self.web = self._web_hosting(spec, params, domain)
        # W3005 flags a DependsOn that a Ref/GetAtt already implies. CDK's own S3 notification constructs
        # write such redundant (harmless) DependsOn; nothing of ours does.
        self.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})

    def _parameters(self) -> Parameters:
        domain_name = CfnParameter(
            self, "DomainName", description="The API's custom domain, for example api.comptoir.example"
        )
        certificate_arn = CfnParameter(
            self,
            "CertificateArn",
            description="ACM certificate for DomainName, in the stack's region (the endpoint is regional)",
            allowed_pattern="arn:aws[a-z-]*:acm:.+",
        )
        inbound = CfnParameter(
            self,
            "InboundMailDomain",
            description="Domain whose mail SES receives, for example in.comptoir.example",
        )
        textract = CfnParameter(
            self,
            "TextractEnabled",
            description="Whether invoice recognition may call Amazon Textract",
            allowed_values=["true", "false"],
            default="false",
        )
        dropbox_app_key = CfnParameter(
            self,
            "DropboxAppKey",
            description="App key of the Dropbox app (App folder access); empty turns the Dropbox channel off",
            default="",
        )
        portal_origin = CfnParameter(
            self,
            "PortalOrigin",
            description="The web portal's origin, which e-mailed links point at, for example https://portal.comptoir.example",
            allowed_pattern="https://[^/]+",
        )
        mail_sender = CfnParameter(
            self,
            "MailSender",
            description="The SES-verified address the apps send e-mail from, for example no-reply@comptoir.example",
        )
        return Parameters(
            portal_origin=portal_origin.value_as_string,
            mail_sender=mail_sender.value_as_string,
            domain_name=domain_name.value_as_string,
            certificate_arn=certificate_arn.value_as_string,
            inbound_mail_domain=inbound.value_as_string,
            textract_enabled=textract.value_as_string,
            dropbox_app_key=dropbox_app_key.value_as_string,
        )

    def _table(self, table: specs.Table) -> dynamodb.Table:
        string = dynamodb.AttributeType.STRING
        made = dynamodb.Table(
            self,
            construct_name(table.id),
            partition_key=dynamodb.Attribute(name=table.partition_key, type=string),
            sort_key=dynamodb.Attribute(name=table.sort_key, type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=table.ttl_attribute,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in table.indexes:
            made.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(name=index.partition_key, type=string),
                sort_key=dynamodb.Attribute(name=index.sort_key, type=string),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return made

    def _queue(self, queue: specs.Queue) -> sqs.Queue:
        name = construct_name(queue.id)
        dlq = sqs.Queue(
            self,
            f"{name}Dlq",
            # The longest SQS allows: time to look at what failed and redrive it.
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        return sqs.Queue(
            self,
            f"{name}Queue",
            visibility_timeout=Duration.seconds(queue.visibility_timeout_s),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=queue.max_receive_count, queue=dlq),
        )

    def _bucket(self, bucket: specs.Bucket, *, portal_origin: str) -> s3.Bucket:
        # The portal (CloudFront at DomainName) posts presigned uploads straight to the bucket.
        cors = specs.browser_upload_cors(portal_origin) if bucket.browser_uploads else None
        made = s3.Bucket(
            self,
            f"{construct_name(bucket.id)}Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=bucket.versioned,
            removal_policy=RemovalPolicy.RETAIN,
            cors=[
                s3.CorsRule(
                    allowed_origins=cors["AllowedOrigins"],
                    allowed_methods=[s3.HttpMethods(m) for m in cors["AllowedMethods"]],
                    allowed_headers=cors["AllowedHeaders"],
                    exposed_headers=cors["ExposeHeaders"],
                    max_age=cors["MaxAgeSeconds"],
                )
            ]
            if cors
            else None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    prefix=prefix,
                    expiration=Duration.days(days),
                    noncurrent_version_expiration=Duration.days(days),
                )
                for prefix, days in bucket.expiring
            ],
        )
        for notification in bucket.notifications:
            made.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                s3n.SqsDestination(self.queues[notification.queue]),
                s3.NotificationKeyFilter(prefix=notification.prefix),
            )
        return made

    def _topic(self, topic: specs.Topic) -> sns.Topic:
        """A topic whose messages reach its queue in SNS's envelope (the worker reads both layers)."""
        made = sns.Topic(self, f"{construct_name(topic.id)}Topic", enforce_ssl=True)
        made.add_subscription(sns_subscriptions.SqsSubscription(self.queues[topic.queue]))
        return made

    def _key(self, key: specs.EncryptionKey) -> kms.Key:
        return kms.Key(
            self,
            f"{construct_name(key.id)}Key",
            description=key.description,
            enable_key_rotation=True,
            # What it encrypted cannot be read without it.
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _grant_keys_and_sends(self, app: specs.App, role: iam.IRole) -> None:
        for key_id in app.uses_keys:
            self.keys[key_id].grant_encrypt_decrypt(role)
        for secret_id in app.reads_secrets:
            self.secrets[secret_id].grant_read(role)
        for queue_id in app.sends_to:
            self.queues[queue_id].grant_send_messages(role)
        if app.sends_email:
            # From the account's verified identities only (the sender address or its domain).
            identities = self.format_arn(service="ses", resource="identity", resource_name="*")
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["ses:SendEmail", "ses:SendRawEmail"], resources=[identities])
            )

    def _state_machine(self, machine: specs.StateMachine) -> sfn.StateMachine:
        """A state machine from its ASL file (as the local stack loads it), logging every execution."""
        name = construct_name(machine.id)
        log_group = logs.LogGroup(
            self, f"{name}Logs", retention=logs.RetentionDays.SIX_MONTHS, removal_policy=RemovalPolicy.DESTROY
        )
        state_machine = sfn.StateMachine(
            self,
            f"{name}StateMachine",
            definition_body=sfn.DefinitionBody.from_string(machine.definition_path.read_text()),
            definition_substitutions={
                placeholder: self.queues[queue_id].queue_url
                for placeholder, queue_id in machine.queue_substitutions.items()
            },
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        # Its callback tasks and its end are messages to these queues: the only thing it may send.
        for queue_id in set(machine.queue_substitutions.values()):
            self.queues[queue_id].grant_send_messages(state_machine)
        return state_machine

    def _grant_state_machines(
        self, spec: specs.Spec, app: specs.App, role: iam.IRole, params: Parameters
    ) -> None:
        """Start executions for the apps that start them; answer task tokens and stop executions of this
        machine only for the apps that answer them (the approvals app). E-mail rights come from
        App.sends_email, like every app's."""
        for machine in spec.state_machines:
            state_machine = self.state_machines[machine.id]
            if app.name in machine.started_by:
                state_machine.grant_start_execution(role)
            if app.name in machine.answered_by:
                state_machine.grant_task_response(role)
                state_machine.grant_execution(role, "states:StopExecution")

    def _user_pool(self, pool: specs.UserPool) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        made = cognito.UserPool(
            self,
            f"{construct_name(pool.id)}Pool",
            # The e-mail address is the user name; people are invited by the firm, they do not sign up.
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            self_sign_up_enabled=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            # Same policy as the local pool (comptoir_infra.local.provision).
            password_policy=cognito.PasswordPolicy(
                min_length=pool.password_min_length,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=False,
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        client = made.add_client(
            f"{construct_name(pool.client_id)}Client",
            # Refresh-token auth comes with every client; USER_PASSWORD_AUTH is what accounts' /login uses.
            auth_flows=cognito.AuthFlow(user_password=True),
            # The apps sign in through the API, never through the hosted UI: no OAuth flows, no callbacks.
            disable_o_auth=True,
            generate_secret=False,
            prevent_user_existence_errors=True,
            access_token_validity=Duration.minutes(pool.access_token_minutes),
            id_token_validity=Duration.minutes(pool.access_token_minutes),
            refresh_token_validity=Duration.days(pool.refresh_token_days),
        )
        return made, client

    def _layer(self, layer: specs.Layer, build_dir: Path, with_dependencies: bool) -> lambda_.LayerVersion:
        directory = stage_layer(layer, build_dir, with_dependencies=with_dependencies)
        return lambda_.LayerVersion(
            self,
            f"{construct_name(layer.name)}Layer",
            code=lambda_.Code.from_asset(str(directory)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description=f"Comptoir {layer.package} and its dependencies",
        )

    def _environment(self, spec: specs.Spec, stage: str, params: Parameters) -> dict[str, dict[str, str]]:
        """Each app's settings, by app name: every shared setting (comptoir_core.settings requires them
        all; IAM limits the access), and the app's private ones (secrets)."""
        values = {
            "stage": stage,
            "table": self.table.table_name,
            "documents_bucket": self.buckets[specs.DOCUMENTS_BUCKET].bucket_name,
            "user_pool_id": self.user_pool.user_pool_id,
            "user_pool_client_id": self.user_pool_client.user_pool_client_id,
            "user_pool_arn": self.user_pool.user_pool_arn,
            "inbound_domain": params.inbound_mail_domain,
            # Not read by any app yet; here so that naming it in spec.env is all it takes.
            "textract_enabled": params.textract_enabled,
            "dropbox_app_key": params.dropbox_app_key,
            "dropbox_app_secret_arn": self.secrets[specs.DROPBOX_SECRET].secret_arn,
            "dropbox_redirect_url": Fn.join(
                "",
                ["https://", params.domain_name, f"/{spec.app('dropbox_webhook').base_path}/oauth/callback"],
            ),
            "dropbox_queue_url": self.queues[specs.DROPBOX_QUEUE].queue_url,
            "documents_queue_url": self.queues[specs.INCOMING_QUEUE].queue_url,
            "tokens_key_id": self.keys[specs.TOKENS_KEY].key_arn,
            "portal_origin": params.portal_origin,
            "mail_sender": params.mail_sender,
            "approval_chain_arn": self.state_machines[specs.APPROVAL_CHAIN].state_machine_arn,
            "approvals_queue_url": self.queues[specs.APPROVALS_QUEUE].queue_url,
        }
        # A setting added to the spec without a value here fails the synthesis, not the function.
        return {app.name: {name: values[key] for key, name in spec.env_of(app).items()} for app in spec.apps}

    def _throttle(self, api: ChaliceApi) -> None:
        """Stage throttling for every method of the API (SAM's MethodSettings on the stage it makes)."""
        api.rest_api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": API_RATE_LIMIT,
                    "ThrottlingBurstLimit": API_BURST_LIMIT,
                }
            ],
        )

    def _binary_answers(self, api: ChaliceApi) -> None:
        """`*/*` as the API's binary media types, whatever `Accept` a client sends. API Gateway turns a
        base64 answer (a PDF, a page image, a QR code) back into bytes only when the request's first
        Accept type is binary; a browser's `<img>` sends `image/avif,…` and a missing header is `*/*` to
        us. JSON stays text: the apps base64-encode only their own binary types (Chalice's
        `binary_types`), and API Gateway passes an answer without `isBase64Encoded` as it is. Request
        bodies then all reach the function base64-encoded, which Chalice's `raw_body` decodes."""
        api.rest_api.add_property_override(BINARY_MEDIA_TYPES, ["*/*"])

    def _login_firewall(self, accounts: ChaliceApi) -> wafv2.CfnWebACL:
        """A WAF web ACL on the accounts API's stage: one address that signs in too often is blocked."""

        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            )

        def blocking_rate_rule(
            name: str, priority: int, rate: wafv2.CfnWebACL.RateBasedStatementProperty
        ) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=rate),
                visibility_config=visibility(f"Comptoir{name}"),
            )

        login = wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                positional_constraint="ENDS_WITH",
                search_string="/login",
                text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")
                ],
            )
        )
        without_viewer_ip = wafv2.CfnWebACL.StatementProperty(
            not_statement=wafv2.CfnWebACL.NotStatementProperty(
                statement=wafv2.CfnWebACL.StatementProperty(
                    size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                            single_header={"Name": VIEWER_IP_HEADER}
                        ),
                        comparison_operator="GT",
                        size=0,
                        text_transformations=[
                            wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                        ],
                    )
                )
            )
        )
        acl = wafv2.CfnWebACL(
            self,
            "ApiFirewall",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("ComptoirApi"),
            rules=[
                # Through CloudFront every request comes from an edge server's address: the viewer's own
                # is in the header CloudFront's function writes (web_hosting.VIEWER_IP_HEADER).
                blocking_rate_rule(
                    "LoginRateLimit",
                    0,
                    wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=LOGIN_RATE_LIMIT,
                        aggregate_key_type="FORWARDED_IP",
                        forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                            header_name=VIEWER_IP_HEADER, fallback_behavior="NO_MATCH"
                        ),
                        scope_down_statement=login,
                    ),
                ),
                # A client calling the API's regional endpoint itself, without that header: its address.
                blocking_rate_rule(
                    "LoginRateLimitDirect",
                    1,
                    wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=LOGIN_RATE_LIMIT,
                        aggregate_key_type="IP",
                        scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                            and_statement=wafv2.CfnWebACL.AndStatementProperty(
                                statements=[login, without_viewer_ip]
                            )
                        ),
                    ),
                ),
            ],
        )
        stage_arn = Fn.join(
            "",
            [
                "arn:",
                Aws.PARTITION,
                ":apigateway:",
                Aws.REGION,
                "::/restapis/",
                accounts.rest_api.ref,
                "/stages/",
                Fn.ref(f"{accounts.rest_api.logical_id}.Stage"),
            ],
        )
        association = wafv2.CfnWebACLAssociation(
            self, "ApiFirewallAccounts", resource_arn=stage_arn, web_acl_arn=acl.attr_arn
        )
        Validations.of(association).acknowledge(
            Acknowledgment(id="CloudFormation-Validate::F1020", reason="SAM resolves <api>.Stage")
        )
        return acl

    def _alarms(self, spec: specs.Spec) -> None:
        """Every dead-letter queue that holds a message, and every queue whose oldest message waited
        longer than one visibility timeout, raise an alarm on one topic (subscribe the on-call to it)."""
        topic = sns.Topic(self, "AlarmsTopic", display_name="Comptoir alarms", enforce_ssl=True)
        action = cloudwatch_actions.SnsAction(topic)
        for queue in spec.queues:
            name = construct_name(queue.id)
            made = self.queues[queue.id]
            depth = cloudwatch.Alarm(
                self,
                f"{name}DlqDepthAlarm",
                alarm_description=f"Messages of {queue.id} failed every try and wait in its dead-letter queue",
                metric=made.dead_letter_queue.queue.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(5), statistic="Maximum"
                ),
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            age = cloudwatch.Alarm(
                self,
                f"{name}AgeAlarm",
                alarm_description=f"The oldest message of {queue.id} waited longer than one visibility timeout",
                metric=made.metric_approximate_age_of_oldest_message(
                    period=Duration.minutes(5), statistic="Maximum"
                ),
                threshold=queue.visibility_timeout_s,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            depth.add_alarm_action(action)
            age.add_alarm_action(action)
        CfnOutput(self, "AlarmsTopicArn", value=topic.topic_arn, description="Subscribe the on-call here")

    def _api_domain(self, params: Parameters, apis: list[ChaliceApi]) -> apigateway.DomainName:
        domain = apigateway.DomainName(
            self,
            "ApiDomain",
            domain_name=params.domain_name,
            certificate=acm.Certificate.from_certificate_arn(self, "ApiCertificate", params.certificate_arn),
            endpoint_type=apigateway.EndpointType.REGIONAL,
            security_policy=apigateway.SecurityPolicy.TLS_1_2,
        )
        for api in apis:
            mapping = apigateway.CfnBasePathMapping(
                self,
                f"{construct_name(api.app.name)}Mapping",
                domain_name=domain.domain_name,
                rest_api_id=api.rest_api.ref,
                base_path=api.app.base_path,
                # SAM's reference to the stage it makes for the API: the mapping waits for the stage.
                stage=Fn.ref(f"{api.rest_api.logical_id}.Stage"),
            )
            # CDK's template check does not know SAM's `<api>.Stage` references; cfn-lint, which runs the
            # SAM transform first, does, and checks them.
            Validations.of(mapping).acknowledge(
                Acknowledgment(id="CloudFormation-Validate::F1020", reason="SAM resolves <api>.Stage")
            )
        return domain

    def _inbound_mail(self, params: Parameters, bucket: s3.IBucket, topic: sns.Topic) -> None:
        """SES keeps each raw message received for the inbound domain in the documents bucket, and
        publishes its notification (all the recipients, its verdicts, the object's key) to `topic`,
        which feeds the mail-inbound queue.

        The S3 action also adds the bucket policy statement that lets SES (from this account only)
        put objects under the prefix. The rule set still has to be made the active one, once per
        account and region: CloudFormation cannot do that.
        """
        rule_set = ses.ReceiptRuleSet(
            self,
            "InboundMail",
            rules=[
                ses.ReceiptRuleOptions(
                    recipients=[params.inbound_mail_domain],
                    scan_enabled=True,
                    actions=[ses_actions.S3(bucket=bucket, object_key_prefix=INBOUND_PREFIX, topic=topic)],
                )
            ],
        )
        CfnOutput(
            self,
            "InboundMailRuleSetName",
            value=rule_set.receipt_rule_set_name,
            description="Make it the active rule set once: aws ses set-active-receipt-rule-set --rule-set-name …",
        )

    def _web_hosting(self, spec: specs.Spec, params: Parameters, domain: apigateway.DomainName) -> WebHosting:
        """The portal and the APIs on one origin: CloudFront answers DomainName (point its DNS record at
        the PortalDistributionDomain output) and hands the APIs' base paths to the regional API domain."""
        certificate = CfnParameter(
            self,
            "CloudFrontCertificateArn",
            description="ACM certificate for DomainName in us-east-1 (CloudFront's region)",
            allowed_pattern="arn:aws[a-z-]*:acm:us-east-1:.+",
        )
        web = WebHosting(
            self,
            "Portal",
            domain_name=params.domain_name,
            certificate_arn=certificate.value_as_string,
            api_origin_domain=domain.domain_name_alias_domain_name,
            base_paths=[app.base_path for app in spec.apps],
            # Presigned upload forms name the documents bucket's regional domain (comptoir_core.aws).
            upload_origin=f"https://{self.buckets[specs.DOCUMENTS_BUCKET].bucket_regional_domain_name}",
        )
        CfnOutput(
            self,
            "PortalDistributionDomain",
            value=web.distribution.distribution_domain_name,
            description="Point DomainName here (CNAME or alias record): the portal and the APIs behind it",
        )
        CfnOutput(self, "PortalBucketName", value=web.bucket.bucket_name)
        return web

    def _outputs(self, domain: apigateway.DomainName) -> None:
        CfnOutput(
            self,
            "ApiDomainTarget",
            value=domain.domain_name_alias_domain_name,
            description="CloudFront's origin for the APIs (the PortalDistributionDomain output is DomainName's target)",
        )
        CfnOutput(self, "ApiDomainHostedZoneId", value=domain.domain_name_alias_hosted_zone_id)
        CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.user_pool_client.user_pool_client_id)
        CfnOutput(self, "TableName", value=self.table.table_name)
        CfnOutput(self, "DocumentsBucketName", value=self.buckets[specs.DOCUMENTS_BUCKET].bucket_name)
