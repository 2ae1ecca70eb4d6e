// A setting that names a server by URL (DATABASE_URL, REDIS_URL, PUBLIC_URL): checked once, at start-up, and a bad
// one reported as a problem naming the variable rather than failing later at the first connection.

export /** A server URL of one of `protocols`, or null when the variable is unset; anything else is a problem naming the variable. */
function parseServiceUrl(name: string, raw: string | undefined, protocols: readonly string[], example: string, problems: string[]): string | null {
  const value = raw?.trim() ?? "";
  if (value === "") return null;
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (url === null || !protocols.includes(url.protocol) || url.hostname === "") {
    problems.push(`${name} must be a ${example}`);
    return null;
  }
  return value;
}
