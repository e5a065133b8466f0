// gRPC status codes the Firestore and Cloud Tasks adapters branch on (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
export const grpcCode = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6 } as const;

export function hasGrpcCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
