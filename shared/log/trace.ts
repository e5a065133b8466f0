/**
 * Cloud Logging groups a request's log lines under its trace when each line
 * carries `logging.googleapis.com/trace` as projects/P/traces/T. Cloud Run
 * sets `traceparent` (W3C) and, on older paths, `X-Cloud-Trace-Context`
 * (TRACE/SPAN;o=1); either is accepted.
 * https://cloud.google.com/logging/docs/structured-logging#special-payload-fields
 */
export interface TraceFields {
  'logging.googleapis.com/trace': string;
  'logging.googleapis.com/spanId'?: string;
  'logging.googleapis.com/trace_sampled'?: boolean;
}

const traceparentPattern = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/i;
const cloudTracePattern = /^([\da-f]{32})(?:\/(\d+))?(?:;o=([01]))?$/i;

/** Request headers as Node gives them (lower-case names; a repeated header is an array). */
export type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function traceFields(headers: Headers, projectId: string): TraceFields | undefined {
  const parent = header(headers, 'traceparent')?.trim().match(traceparentPattern);
  if (parent) {
    const [, traceId, spanId, flags] = parent;
    return {
      'logging.googleapis.com/trace': `projects/${projectId}/traces/${traceId}`,
      'logging.googleapis.com/spanId': spanId!,
      'logging.googleapis.com/trace_sampled': (Number.parseInt(flags!, 16) & 1) === 1,
    };
  }
  const legacy = header(headers, 'x-cloud-trace-context')?.trim().match(cloudTracePattern);
  if (legacy) {
    const [, traceId, spanDecimal, sampled] = legacy;
    const fields: TraceFields = { 'logging.googleapis.com/trace': `projects/${projectId}/traces/${traceId}` };
    // The legacy header's span id is decimal; Cloud Logging expects 16 hex digits.
    if (spanDecimal)
      fields['logging.googleapis.com/spanId'] = BigInt(spanDecimal).toString(16).padStart(16, '0');
    if (sampled) fields['logging.googleapis.com/trace_sampled'] = sampled === '1';
    return fields;
  }
  return undefined;
}
