/**
 * POSTs one JSON body, trying again with the same body while it gets no answer, a 5xx or a
 * 429, as a business backend would (a send carries its messageId, so a repeat of one that
 * went through is answered 200; docs/messages-api.md). Waits `backoffMs(attempt)` between
 * tries. Returns the last status, or undefined if no attempt got one.
 */
export async function postWithRetries(
  url: string,
  body: string,
  attempts: number,
  backoffMs: (attempt: number) => number,
): Promise<number | undefined> {
  let status: number | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await response.arrayBuffer();
      status = response.status;
      if (status < 500 && status !== 429) return status;
    } catch {
      status = undefined;
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
  }
  return status;
}
