"""Logger, tracer and metrics, made once; each app registers `observe` as HTTP middleware, and the
SQS workers run through `comptoir_core.workers.sqs_batch`."""

from aws_lambda_powertools import Logger, Metrics, Tracer

from comptoir_core.edge import accept_anything_by_default, in_our_error_shape

logger = Logger(service="comptoir")
metrics = Metrics(namespace="Comptoir", service="comptoir")
# Off outside Lambda (Powertools sees no AWS_LAMBDA_FUNCTION_NAME): no X-Ray daemon is needed locally.
tracer = Tracer(service="comptoir")

__all__ = ["logger", "metrics", "observe", "tracer"]


def observe(event, get_response):
    """Chalice middleware: correlation id on every log line, metrics flushed per request, and the edge's
    rules (comptoir_core.edge) for every answer, the framework's own included."""
    # API Gateway's request id; the local gateway sends one as x-request-id.
    request_id = (event.context or {}).get("requestId") or (event.headers or {}).get("x-request-id")
    logger.set_correlation_id(request_id)
    logger.append_keys(path=event.path, method=event.method)
    accept_anything_by_default(event)
    try:
        return in_our_error_shape(get_response(event))
    finally:
        if metrics.metric_set:  # a request that counted nothing publishes nothing
            metrics.flush_metrics()
        logger.remove_keys(["path", "method", "company_id"])
