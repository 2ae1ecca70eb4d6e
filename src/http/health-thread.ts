// What the app's loop and the health thread (issue 19) say to each other: shared by both sides.
import type { HealthAnswer } from "../http-api.js";

/** How often the app's loop reports to the health thread; a report later than this is the loop being late. */
export const HEALTH_BEAT_MS = 250;

/** The app's loop to the thread, every HEALTH_BEAT_MS: the phase, and the last health check's answer. */
export interface HealthBeat {
  phase: "starting" | "serving" | "stopping";
  answer: HealthAnswer | null;
}

/** The thread to the app's loop, once: it listens (on this port), or could not. */
export type HealthThreadMessage = { type: "listening"; port: number } | { type: "error"; message: string };

export interface HealthWorkerData {
  host: string;
  port: number;
  nodeId: string;
  /** The loop's beat may be this late before a probe fails. */
  stallMs: number;
}
