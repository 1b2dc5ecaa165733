/**
 * Fixed seeds for simulator tests, overridable for replay: a failing test
 * names its seed, and `SEED=1234 npx vitest run shared` reruns exactly that
 * case (lib0's testRepeat / --seed idea).
 */
export function seedsFor(defaults: readonly number[]): number[] {
  const env = process.env.SEED;
  if (env !== undefined && env !== '') {
    const seed = Number(env);
    if (!Number.isInteger(seed)) throw new Error(`SEED must be an integer, got ${env}`);
    return [seed];
  }
  return [...defaults];
}

/** Wraps a check so its failure message carries the replay command. */
export function withSeed(seed: number, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message}\n  replay: SEED=${seed} npx vitest run shared`;
    throw error;
  }
}
