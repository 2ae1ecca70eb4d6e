// Posts that change something (the moderator form, an invite's use) come from this site's own pages only: a
// post from another site, or one with no Origin at all, is refused (CSRF; the cookie is SameSite=Lax as well).
import type { Request } from "express";
import type { Config } from "../config.js";

/** A form post from another site (or with no Origin at all) is refused: the token form is for this origin only. */
export function isSameOrigin(req: Request, config: Config): boolean {
  const origin = req.get("origin");
  if (origin === undefined || origin === "null") return false;
  if (config.allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === (req.get("host") ?? "").toLowerCase();
  } catch {
    return false;
  }
}
