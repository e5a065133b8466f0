/**
 * Google's JSON error shape, { error: { code, message, status } }, with the
 * canonical status names (google.rpc.Code) for the HTTP codes the sandbox uses.
 * https://cloud.google.com/apis/design/errors#http_mapping
 */

const statusByCode: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export interface GoogleError {
  error: { code: number; message: string; status: string };
}

export function googleError(code: number, message: string): GoogleError {
  return { error: { code, message, status: statusByCode[code] ?? 'UNKNOWN' } };
}

/** A handler's way to answer with a Google error. */
export class ApiError extends Error {
  readonly code: number;
  readonly headers: Record<string, string>;
  constructor(code: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.headers = headers;
  }

  get body(): GoogleError {
    return googleError(this.code, this.message);
  }
}

/** Google's wording when no credential comes with the request. */
export const missingCredentialMessage =
  'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.';
