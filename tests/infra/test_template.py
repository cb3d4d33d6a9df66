"""The template as a whole: what it asks for, what it tells, and what cfn-lint thinks of it."""

import json

from aws_cdk.assertions import Match

EXPECTED_OUTPUTS = {
    "ApiDomainTarget",
    "ApiDomainHostedZoneId",
    "UserPoolId",
    "UserPoolClientId",
    "TableName",
    "DocumentsBucketName",
    "InboundMailRuleSetName",
}


def test_synthesis_writes_the_template_it_returns(synthesised):
    path, template = synthesised
    assert json.loads(path.read_text()) == template


def test_the_stack_asks_for_its_api_domain_certificate_and_mail_domain(template):
    for name in ("DomainName", "CertificateArn", "InboundMailDomain"):
        template.has_parameter(name, {"Type": "String"})


def test_textract_stays_off_unless_the_operator_turns_it_on(template):
    template.has_parameter(
        "TextractEnabled", {"Type": "String", "AllowedValues": ["true", "false"], "Default": "false"}
    )


def test_the_stack_tells_where_to_point_the_domain_and_what_it_made(template_json):
    assert set(template_json["Outputs"]) >= EXPECTED_OUTPUTS


def test_the_api_domain_target_is_the_regional_domain_name(template):
    template.has_output(
        "ApiDomainTarget", {"Value": {"Fn::GetAtt": [Match.any_value(), "RegionalDomainName"]}}
    )


def test_cfn_lint_finds_no_error(cfn_lint_findings):
    errors = [finding for finding in cfn_lint_findings if finding["Level"] == "Error"]
    assert errors == []


def test_cfn_lint_finds_no_warning(cfn_lint_findings):
    # The stack silences one check (W3005, redundant DependsOn written by CDK's own S3 notification
    # construct) in its template metadata; nothing else is filtered.
    warnings = [finding for finding in cfn_lint_findings if finding["Level"] == "Warning"]
    assert warnings == []
