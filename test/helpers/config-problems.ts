// The problems loadConfig reports for an environment (each a line naming its variable), or none.
import { ConfigError, loadConfig } from "../../src/config.js";

export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
