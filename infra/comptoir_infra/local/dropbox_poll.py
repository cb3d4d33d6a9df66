"""Dropbox without a webhook: `comptoir up` on a laptop cannot be reached by Dropbox, so it watches
every linked account with `files/list_folder/longpoll` and queues the account when something changed,
exactly as the webhook would. The queue's worker (the pump delivers it) does the sync.

One thread per link: it long-polls from the link's stored cursor (no token needed for that call); a
link without a cursor yet is queued at once, and the first sync takes its cursor. Links are looked up
every few seconds, so one made while running is watched, and one removed or revoked is let go.
"""

import logging
import threading

from comptoir_core import wiring
from comptoir_core.dropbox import records
from comptoir_core.dropbox import wiring as dropbox_wiring
from comptoir_core.dropbox.client import longpoll
from comptoir_core.dropbox.models import LinkStatus

log = logging.getLogger("comptoir.dropbox")


class DropboxPoller:
    def __init__(self, *, scan_every_s: float = 2.0, longpoll_timeout_s: int = 30, settle_s: float = 10.0):
        self.scan_every_s = scan_every_s
        self.longpoll_timeout_s = longpoll_timeout_s
        # After queueing, how long to wait for the sync to move the cursor before polling again.
        self.settle_s = settle_s
        self._stop = threading.Event()
        self._watchers: dict[tuple[str, str], threading.Thread] = {}
        self._thread = threading.Thread(target=self._scan, name="dropbox-poller", daemon=True)

    @property
    def enabled(self) -> bool:
        return dropbox_wiring.config().enabled

    def start(self) -> None:
        if self.enabled:
            self._thread.start()

    def stop(self) -> None:
        """Stop watching. A watcher blocked in a long poll is a daemon thread: it does not hold the exit."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _scan(self) -> None:
        while not self._stop.is_set():
            try:
                for account_id, company_id in records.all_links(wiring.repository()):
                    key = (account_id, company_id)
                    watcher = self._watchers.get(key)
                    if watcher is None or not watcher.is_alive():
                        watcher = threading.Thread(
                            target=self._watch, args=key, name=f"dropbox-{company_id}", daemon=True
                        )
                        self._watchers[key] = watcher
                        watcher.start()
            except Exception:
                log.exception("listing the Dropbox links failed; trying again")
            self._stop.wait(self.scan_every_s)

    def _watch(self, account_id: str, company_id: str) -> None:
        repo = wiring.repository()
        while not self._stop.is_set():
            try:
                link = records.read_link(repo, company_id)
                if link.status != LinkStatus.connected or link.account_id != account_id:
                    return
                if link.cursor is None:
                    changes, backoff = True, None  # never synced: the first sync takes the cursor
                else:
                    changes, backoff = longpoll(
                        dropbox_wiring.config(), cursor=link.cursor, timeout_s=self.longpoll_timeout_s
                    )
                if changes and not self._stop.is_set():
                    dropbox_wiring.account_queue().send([account_id])
                    self._wait_for_new_cursor(company_id, link.cursor)
                if backoff:
                    self._stop.wait(backoff)
            except Exception:
                log.exception("watching the Dropbox of %s failed; trying again", company_id)
                self._stop.wait(5)

    def _wait_for_new_cursor(self, company_id: str, cursor: str | None) -> None:
        """Until the queued sync moved the cursor (or a while passed: then it is asked again)."""
        waited = 0.0
        while waited < self.settle_s and not self._stop.wait(0.2):
            waited += 0.2
            if records.read_link(wiring.repository(), company_id).cursor != cursor:
                return
