"""How spec ids become CDK construct ids (and so the start of CloudFormation logical ids)."""

from chalice.utils import to_cfn_resource_name


def construct_name(spec_id: str) -> str:
    """documents-incoming → DocumentsIncoming; split_merge → SplitMerge."""
    return to_cfn_resource_name(spec_id.replace("-", "_"))
