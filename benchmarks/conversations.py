"""Conversations: the cost of the counter and of the first page as a company's conversations grow.

In-process moto (so the figures are moto's, slower than DynamoDB's): the demo data, then N
conversations started by the demo user; the accountant's counter and first page timed at each size.

    .venv/bin/python benchmarks/conversations.py [--sizes 100 300] [--runs 5]
"""

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 (moto takes any)
        AWS_DEFAULT_REGION="eu-west-1",
        POWERTOOLS_METRICS_DISABLED="true",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    with mock_aws():
        from comptoir_core import keys, wiring
        from comptoir_core.communication import service
        from comptoir_core.communication.models import ConversationQuery, ConversationStart
        from comptoir_core.tenancy import Caller
        from comptoir_infra.local import demo
        from comptoir_infra.local.provision import provision

        made = provision(endpoint=None, region="eu-west-1", inbound_domain="in.bench.test")
        os.environ.update(made.app_environment())
        wiring.reset()
        companies = demo.seed(password="Bench-Password-42")  # noqa: S106 (a throwaway moto pool)
        company_id = companies["Demo SRL"]
        repo = wiring.repository()
        members = {
            m["role"]: m["user_id"] for m in repo.query(keys.company_pk(company_id), sk_prefix="MEMBER#")
        }
        user = Caller(user_id=members["user"], email="user@demo.comptoir.local")
        accountant = Caller(user_id=members["accountant"], email="accountant@demo.comptoir.local")
        service.notify = lambda **_: 0  # the e-mails are not what is measured
        count = 0
        print("| conversations | counter median ms | first page median ms |")
        print("| ------------- | ----------------- | -------------------- |")
        for size in args.sizes:
            while count < size:
                service.start_conversation(
                    repo=repo,
                    blobs=wiring.blob_store(),
                    caller=user,
                    company_id=company_id,
                    start=ConversationStart(subject=f"n°{count}", message="…"),
                    files=[],
                    link_base="",
                )
                count += 1
            counter, page = [], []
            for _ in range(args.runs):
                start = time.perf_counter()
                service.counter(repo=repo, caller=accountant, company_id=company_id)
                counter.append(time.perf_counter() - start)
                start = time.perf_counter()
                service.list_conversations(
                    repo=repo, caller=accountant, company_id=company_id, query=ConversationQuery()
                )
                page.append(time.perf_counter() - start)
            print(
                f"| {size} | {statistics.median(counter) * 1000:.0f} | {statistics.median(page) * 1000:.0f} |"
            )


if __name__ == "__main__":
    main()
