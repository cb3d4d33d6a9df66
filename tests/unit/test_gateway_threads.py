"""The local gateway serves requests in threads: a request never sees another thread's request."""

import threading

from chalice import Chalice

from comptoir_infra.local.gateway import _request_per_thread


def test_given_two_threads_handling_requests_when_one_sets_its_request_then_the_other_still_reads_its_own():
    app = Chalice(app_name="threads")
    _request_per_thread(app)
    _request_per_thread(app)  # twice changes nothing
    seen = {}
    posted = threading.Event()
    polled = threading.Event()

    def post():
        app.current_request = "POST with a body"
        posted.set()
        polled.wait(5)
        seen["post"] = app.current_request

    def poll():
        posted.wait(5)
        app.current_request = "GET of a list"
        seen["poll"] = app.current_request
        polled.set()

    threads = [threading.Thread(target=post), threading.Thread(target=poll)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)

    assert seen == {"post": "POST with a body", "poll": "GET of a list"}
    assert app.current_request is None  # this thread handled nothing
    assert isinstance(app, Chalice)
