// Files' settings (issue 18; read by loadConfig in src/config.ts, as src/push/settings.ts reads push's): where the
// bytes live, how big and how many, what is refused, and the site's address for links given as text.
import { LIMITS } from "../protocol.js";
import { parseServiceUrl } from "../shared/service-url.js";
import { defaultFilesPath } from "../storage/files.js";

export interface FileSettings {
  /** SQLite mode: the folder the files' bytes live in, content-addressed (PostgreSQL mode keeps them in the database). */
  path: string;
  /** The largest file one upload may carry; a bigger one is cut off at this many bytes. */
  maxFileBytes: number;
  maxFilesPerMessage: number;
  /** Bytes one browser session may upload per hour; 0 = no limit. */
  uploadBytesPerHour: number;
  /** All files' bytes together; new uploads are refused (storage_full) beyond it. */
  maxStorageBytes: number;
  /** An upload not attached to a message within this long is removed. */
  uploadTtlMs: number;
  /** An image with more pixels than this is refused before it is decoded (decompression bombs). */
  imageMaxPixels: number;
  /** Images processed at once (sharp's thread pool); the rest wait their turn. */
  imageConcurrency: number;
  /** Sniffed types refused at upload (executables by default). */
  refusedTypes: readonly string[];
  /** The site's address for the links the original's clients get as text (e.g. https://chat.example.com); null: paths. */
  publicUrl: string | null;
}


type Env = Readonly<Record<string, string | undefined>>;

export const MIB = 1024 * 1024;
/** Executables, as file-type names them: a chat is no place to hand them around. */
const DEFAULT_REFUSED_TYPES = ["application/x-msdownload", "application/x-elf", "application/x-mach-binary", "application/vnd.microsoft.portable-executable", "application/x-sharedlib"];

export function fileSettings(env: Env, databasePath: string, int: (name: string, fallback: number, min: number, max: number) => number, problems: string[]): FileSettings {
  const refused = env.UPLOAD_REFUSED_TYPES?.trim();
  const publicUrl = parseServiceUrl("PUBLIC_URL", env.PUBLIC_URL, ["http:", "https:"], "site address such as https://chat.example.com", problems);
  return {
    // Beside the database: chat_history.db keeps its files in chat_history-files/.
    path: env.FILES_PATH?.trim() || defaultFilesPath(databasePath),
    maxFileBytes: int("MAX_FILE_BYTES", 25 * MIB, 1, 1024 * MIB),
    maxFilesPerMessage: int("MAX_FILES_PER_MESSAGE", 10, 1, LIMITS.filesMaxPerMessage),
    uploadBytesPerHour: int("UPLOAD_BYTES_PER_HOUR", 500 * MIB, 0, Number.MAX_SAFE_INTEGER),
    maxStorageBytes: int("MAX_STORAGE_BYTES", 10 * 1024 * MIB, 1, Number.MAX_SAFE_INTEGER),
    uploadTtlMs: int("UPLOAD_TTL_MS", 10 * 60_000, 1000, 24 * 3600_000),
    imageMaxPixels: int("IMAGE_MAX_PIXELS", 50_000_000, 1, 1_000_000_000),
    imageConcurrency: int("IMAGE_CONCURRENCY", 1, 1, 64),
    refusedTypes: refused === undefined ? DEFAULT_REFUSED_TYPES : refused.split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== ""),
    publicUrl: publicUrl === null ? null : publicUrl.replace(/\/+$/, ""),
  };
}
