export interface WebhookDelivery {
  taskId: string;
  /** HTTP status of the last attempt, or null when it never got one. */
  status: number | null;
  attempts: number;
}

/**
 * POSTs one TASK_END notice the way RunningHub does: `taskId` as a bare JSON number and `eventData` as a JSON
 * string of the outputs response. A receiver that does not answer 2xx within `timeoutMs` gets it again, up to
 * `attempts` times.
 */
export async function postTaskEnd(url: string, taskId: string, eventData: string, options: { attempts: number; timeoutMs: number }): Promise<WebhookDelivery> {
  const body = `{"event":"TASK_END","taskId":${taskId},"eventData":${JSON.stringify(eventData)}}`;
  let status: number | null = null;
  let attempts = 0;
  while (attempts < options.attempts) {
    attempts += 1;
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(options.timeoutMs) });
      status = response.status;
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      status = null;
    }
  }
  return { taskId, status, attempts };
}
