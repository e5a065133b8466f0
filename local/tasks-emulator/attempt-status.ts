import { status } from '@grpc/grpc-js';

/**
 * The google.rpc.Status a task's `lastAttempt.responseStatus` reports for an
 * HTTP answer, using the HTTP-to-gRPC mapping of google.rpc.Code
 * (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto).
 */
export function statusForHttp(httpStatus: number): { code: number; message: string } {
  const message = `HTTP status code ${httpStatus}`;
  if (httpStatus >= 200 && httpStatus < 300) return { code: status.OK, message };
  const byStatus: Record<number, status> = {
    400: status.INVALID_ARGUMENT,
    401: status.UNAUTHENTICATED,
    403: status.PERMISSION_DENIED,
    404: status.NOT_FOUND,
    409: status.ABORTED,
    429: status.RESOURCE_EXHAUSTED,
    499: status.CANCELLED,
    501: status.UNIMPLEMENTED,
    503: status.UNAVAILABLE,
    504: status.DEADLINE_EXCEEDED,
  };
  const code = byStatus[httpStatus];
  if (code !== undefined) return { code, message };
  if (httpStatus >= 500) return { code: status.INTERNAL, message };
  if (httpStatus >= 400) return { code: status.FAILED_PRECONDITION, message };
  return { code: status.UNKNOWN, message };
}

export const deadlineExceededStatus = {
  code: status.DEADLINE_EXCEEDED,
  message: 'Dispatch deadline exceeded',
};

export function unreachableStatus(reason: string): { code: number; message: string } {
  return { code: status.UNAVAILABLE, message: `Target unreachable: ${reason}` };
}
