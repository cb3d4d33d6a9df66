"""Find the resources of one spec item in the synthesised template by the logical ids CDK gives them."""

import re

from comptoir_infra.names import construct_name
from comptoir_infra.spec import App, Queue


def resources(template: dict, resource_type: str, prefix: str = "") -> dict[str, dict]:
    """Resources of a type whose logical id is `<prefix><8 hex digits of CDK's hash>`, or any with no prefix."""
    pattern = re.compile(rf"^{re.escape(prefix)}[0-9A-F]{{8}}$") if prefix else None
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type and (pattern is None or pattern.match(logical_id))
    }


def one(found: dict[str, dict]) -> tuple[str, dict]:
    assert len(found) == 1, f"expected one resource, found {sorted(found)}"
    return next(iter(found.items()))


def queue_id(template: dict, queue: Queue) -> str:
    return one(resources(template, "AWS::SQS::Queue", f"{construct_name(queue.id)}Queue"))[0]


def dlq_id(template: dict, queue: Queue) -> str:
    return one(resources(template, "AWS::SQS::Queue", f"{construct_name(queue.id)}Dlq"))[0]


def rest_api(template: dict, app: App) -> tuple[str, dict]:
    return one(resources(template, "AWS::Serverless::Api", f"{construct_name(app.name)}ChaliceAppRestAPI"))


def functions(template: dict, app: App) -> dict[str, dict]:
    """Every Lambda function Chalice made for the app: the API handler and each event handler."""
    prefix = f"{construct_name(app.name)}ChaliceApp"
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function" and logical_id.startswith(prefix)
    }


def handler_function(template: dict, app: App, handler: str) -> dict:
    found = {
        k: v for k, v in functions(template, app).items() if v["Properties"]["Handler"] == f"app.{handler}"
    }
    return one(found)[1]


def role_of(template: dict, app: App) -> str:
    """The logical id of the role the app's functions run as (all of them run as the same one)."""
    roles = {tuple(f["Properties"]["Role"]["Fn::GetAtt"]) for f in functions(template, app).values()}
    assert len(roles) == 1, roles
    (role_id, attribute), *_ = roles
    assert attribute == "Arn"
    return role_id


def policies_of(template: dict, role_id: str) -> list[dict]:
    """The inline policy resources attached to a role, with their CloudFormation condition if any."""
    return [
        resource
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in resource["Properties"]["Roles"]
    ]


def statements(policy: dict) -> list[dict]:
    return policy["Properties"]["PolicyDocument"]["Statement"]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]
