import { createHash, timingSafeEqual } from "node:crypto";

/** Constant-time comparison, so response timing does not leak the token a byte at a time. */
export function isSameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
