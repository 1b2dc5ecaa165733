export function buildAll(): Promise<Record<string, { raw: number; gzip: number }>>;
