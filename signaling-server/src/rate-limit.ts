/**
 * Token bucket, as pure maths: the caller owns the clock and the state, so
 * the table tests need no timers. A bucket holds up to `burst` tokens and
 * refills at `rate` tokens per second; each frame costs one.
 */
export interface Bucket {
  tokens: number;
  /** Time of the last refill, in ms (any monotonic clock). */
  updatedAt: number;
}

export function createBucket(burst: number, now: number): Bucket {
  return { tokens: burst, updatedAt: now };
}

/**
 * Refill `bucket` for the time since its last update, then take one token if
 * there is one. Returns whether the frame may pass. A clock that steps back
 * refills nothing rather than draining the bucket.
 */
export function takeToken(bucket: Bucket, now: number, rate: number, burst: number): boolean {
  const elapsed = now - bucket.updatedAt;
  if (elapsed > 0) {
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * rate) / 1000);
    bucket.updatedAt = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return true;
  }
  return false;
}
