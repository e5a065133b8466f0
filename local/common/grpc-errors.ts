import { status } from '@grpc/grpc-js';

/** An error the local emulators' gRPC layer turns into a status code and message, worded like the real API's. */
export class RpcError extends Error {
  readonly code: status;

  constructor(code: status, message: string) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
  }
}

export const invalidArgument = (message: string): RpcError => new RpcError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string): RpcError => new RpcError(status.NOT_FOUND, message);
export const alreadyExists = (message: string): RpcError => new RpcError(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string): RpcError =>
  new RpcError(status.FAILED_PRECONDITION, message);
export const aborted = (message: string): RpcError => new RpcError(status.ABORTED, message);
export const unimplemented = (message: string): RpcError => new RpcError(status.UNIMPLEMENTED, message);
