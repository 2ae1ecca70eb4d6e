// Images (issue 18), with sharp: the stored original without its metadata, a display size for the viewer and a
// thumbnail for the message list. sharp decodes and encodes on libvips' threads, off the event loop; at most
// IMAGE_CONCURRENCY images are worked on at once (the rest wait in line) so a burst of uploads cannot take every
// core from the chat. An image whose header claims more than IMAGE_MAX_PIXELS is refused before any pixel is
// decoded: a decompression bomb (a few KB saying 100,000 x 100,000) costs a header read.
import sharp, { type Metadata, type Sharp } from "sharp";
import type { ImageType } from "./sniff.js";

export const THUMB_PX = 320;
export const DISPLAY_PX = 1600;
/** Longest one image may take to process; a pathological file is refused rather than holding a slot forever. */
const TIMEOUT_S = 30;

// libvips' own cache keeps decoded images around for reuse: a server processes each image once, so keep none.
sharp.cache(false);

export class ImageRefusedError extends Error {
  /** What libvips said, for the log only: its words ("vips2png: unable to write to target target") mean nothing to the uploader. */
  readonly detail: string | undefined;
  constructor(message: string, detail?: string) {
    super(message);
    this.name = "ImageRefusedError";
    this.detail = detail;
  }
}

/** The uploader's answer for an image libvips cannot decode, whatever libvips said. */
export const UNREADABLE_IMAGE = "This image cannot be read: the file is damaged or cut short.";

export interface ProcessedImage {
  /** The image in its own format, orientation applied, every metadata field removed except the colour profile. */
  original: Buffer;
  /** The size it is shown at (orientation applied). */
  width: number;
  height: number;
  animated: boolean;
  /** WebP, at most DISPLAY_PX each way: the viewer's image (the first frame of an animation). */
  display: Buffer;
  /** WebP, at most THUMB_PX each way: the message list's image (the first frame of an animation). */
  thumb: Buffer;
}

/** Runs at most `limit` jobs at once; the others wait their turn, in order. */
export class WorkLine {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Jobs in progress and waiting (metrics, tests). */
  get depth(): number {
    return this.running + this.waiting.length;
  }
}

/** Re-encodes in the same format: high quality, so the download is the picture as sent, minus its metadata. */
function sameFormat(image: Sharp, type: ImageType): Sharp {
  switch (type) {
    case "image/jpeg":
      return image.jpeg({ quality: 95, mozjpeg: true });
    case "image/png":
      return image.png({ compressionLevel: 9 });
    case "image/webp":
      return image.webp({ quality: 95 });
    case "image/gif":
      return image.gif();
    case "image/avif":
      return image.avif({ quality: 80 });
  }
}

export interface ImageLimits {
  maxPixels: number;
}

export async function processImage(path: string, type: ImageType, limits: ImageLimits): Promise<ProcessedImage> {
  const open = (animated: boolean): Sharp => sharp(path, { limitInputPixels: limits.maxPixels, animated, failOn: "error" }).timeout({ seconds: TIMEOUT_S });
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata(); // the header only
  } catch (err) {
    throw new ImageRefusedError(UNREADABLE_IMAGE, (err as Error).message);
  }
  const { width = 0, height = 0 } = meta;
  const pages = meta.pages ?? 1;
  if (width < 1 || height < 1) throw new ImageRefusedError("This image has no size.");
  if (width * height > limits.maxPixels || width * height * pages > limits.maxPixels * 4) {
    throw new ImageRefusedError(`This image is too large: ${width} x ${height} pixels${pages > 1 ? ` x ${pages} frames` : ""}, more than IMAGE_MAX_PIXELS (${limits.maxPixels}).`);
  }
  const animated = pages > 1 && (type === "image/gif" || type === "image/webp");
  const turned = (meta.orientation ?? 1) >= 5; // EXIF orientations 5-8 swap width and height
  try {
    const original = await sameFormat(animated ? open(true) : open(false).autoOrient().keepIccProfile(), type).toBuffer();
    const display = await open(false).autoOrient().resize(DISPLAY_PX, DISPLAY_PX, { fit: "inside", withoutEnlargement: true }).webp({ quality: 82 }).toBuffer();
    const thumb = await open(false).autoOrient().resize(THUMB_PX, THUMB_PX, { fit: "inside", withoutEnlargement: true }).webp({ quality: 75 }).toBuffer();
    return { original, width: turned ? height : width, height: turned ? width : height, animated, display, thumb };
  } catch (err) {
    throw new ImageRefusedError(UNREADABLE_IMAGE, (err as Error).message);
  }
}
