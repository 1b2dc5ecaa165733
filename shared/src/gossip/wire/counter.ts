/**
 * The largest incarnation or presence version on the wire: 2^32 − 1. A
 * frame carrying a larger one is malformed. Bounded so that the accused can
 * always answer with a higher one (a refutation at 2^53 was undecodable,
 * issue 13); the client starts each session's incarnation at its clock in
 * seconds (~1.8 × 10^9 in 2026), which leaves 2.5 × 10^9 refutations, and
 * the clock itself reaches the cap in 2106. A counter that gets there stays
 * there (`nextCounter`): that tab's later refutations and presence updates
 * stop winning, and nothing else breaks.
 */
export const MAX_COUNTER = 0xffff_ffff;

/** `value + 1`, but never above MAX_COUNTER. */
export const nextCounter = (value: number): number => Math.min(value + 1, MAX_COUNTER);
