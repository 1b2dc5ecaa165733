export const LIBRARY: ReadonlyArray<readonly [source: string, output: string, options: object]>;
export const BUNDLES: readonly string[];
export function buildAll(options?: { declarations?: boolean }): Promise<Record<string, { raw: number; gzip: number }>>;
