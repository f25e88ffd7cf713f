// A stand-in worker entry for construct tests: bundling is what is tested, not the handler.
export const handler = async (): Promise<{ batchItemFailures: [] }> => ({ batchItemFailures: [] });
