"""The approval chain in the template: loaded from the same ASL file as the local stack, logged, sending only
to the approvals queue (which has a DLQ); only the approvals app answers its task tokens."""

import json

from comptoir_infra.names import construct_name
from comptoir_infra.spec import APPROVAL_CHAIN, APPROVALS_QUEUE, SPEC

from .lookup import (
    as_list,
    dlq_id,
    handler_function,
    one,
    policies_of,
    queue_id,
    resources,
    role_of,
    statements,
)

MACHINE = next(m for m in SPEC.state_machines if m.id == APPROVAL_CHAIN)
QUEUE = next(q for q in SPEC.queues if q.id == APPROVALS_QUEUE)


def machine(template_json) -> tuple[str, dict]:
    return one(
        resources(
            template_json, "AWS::StepFunctions::StateMachine", f"{construct_name(APPROVAL_CHAIN)}StateMachine"
        )
    )


def granted(template_json, app_name: str) -> list[dict]:
    role_id = role_of(template_json, SPEC.app(app_name))
    return [s for p in policies_of(template_json, role_id) for s in statements(p) if s["Effect"] == "Allow"]


def test_the_chain_is_the_asl_file_with_the_approvals_queue_and_logs_every_execution(template_json):
    _, resource = machine(template_json)
    properties = resource["Properties"]
    states_in_file = set(json.loads(MACHINE.definition_path.read_text())["States"])
    body = json.dumps(properties["DefinitionString"])
    assert all(f'\\"{state}\\"' in body for state in states_in_file)
    assert properties["DefinitionSubstitutions"]["ApprovalsQueueUrl"] == {
        "Ref": queue_id(template_json, QUEUE)
    }
    assert properties["LoggingConfiguration"]["Level"] == "ALL"


def test_the_approvals_queue_has_a_dead_letter_queue(template_json):
    queue = template_json["Resources"][queue_id(template_json, QUEUE)]
    redrive = queue["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [dlq_id(template_json, QUEUE), "Arn"]}


def test_only_the_approvals_app_answers_task_tokens_and_only_of_this_machine(template_json):
    machine_id, _ = machine(template_json)
    for app in SPEC.apps:
        answering = [
            s for s in granted(template_json, app.name) if "states:SendTaskSuccess" in as_list(s["Action"])
        ]
        if app.name in MACHINE.answered_by:
            assert answering and all(machine_id in repr(s["Resource"]) for s in answering)
        else:
            assert not answering, app.name


def test_the_apps_that_start_chains_may_start_this_machine_and_others_may_not(template_json):
    machine_id, _ = machine(template_json)
    for app in SPEC.apps:
        starting = [
            s for s in granted(template_json, app.name) if "states:StartExecution" in as_list(s["Action"])
        ]
        assert bool(starting) == (app.name in MACHINE.started_by), app.name
        assert all(machine_id in repr(s["Resource"]) for s in starting)


def test_the_reminders_run_on_a_schedule(template_json):
    function = handler_function(template_json, SPEC.app("approvals"), "remind_approvers")
    events = function["Properties"]["Events"].values()
    assert [e["Properties"]["Schedule"] for e in events if e["Type"] == "Schedule"] == ["rate(1 hour)"]
