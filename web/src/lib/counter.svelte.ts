// The conversations waiting for the signed-in person in the company shown: polled while the tab is
// visible, and refreshed at once when a conversation is read or written.
import { api, ApiError, ok } from "./api";

export const talk = $state({ cid: "", waiting: null as number | null });
let timer: ReturnType<typeof setTimeout> | undefined;
const EVERY_MS = 10_000;

export async function refreshCounter(): Promise<void> {
  clearTimeout(timer);
  const cid = talk.cid;
  if (!cid) return;
  try {
    const answer = await ok<{ waiting: number }>(
      api.GET("/communication/companies/{cid}/counter", { params: { path: { cid } } }),
    );
    if (talk.cid === cid) talk.waiting = answer.waiting;
  } catch (err) {
    // 404: the company has no communication module (or is not the caller's): no counter then.
    if (err instanceof ApiError && err.status === 404 && talk.cid === cid) talk.waiting = null;
  }
  if (talk.cid === cid) timer = setTimeout(refreshCounter, document.hidden ? EVERY_MS * 4 : EVERY_MS);
}

/** Follow this company's counter (an empty id stops). */
export function watchCounter(cid: string): void {
  if (talk.cid === cid) return;
  talk.cid = cid;
  talk.waiting = null;
  clearTimeout(timer);
  if (cid) refreshCounter();
}

// A tab in the background polls four times less often; back in front, it asks at once.
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && talk.cid) refreshCounter();
});
