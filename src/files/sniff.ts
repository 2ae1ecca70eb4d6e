// What a file is, from its bytes alone (file-type reads the magic numbers): never from its name or from what the
// uploader's browser said. Text formats it cannot recognise (SVG, HTML, XML, plain text) have no magic number:
// they are documents, served as downloads, never as images.
import { fileTypeFromBuffer } from "file-type";

/** Images the page shows inline, with a thumbnail: the formats sharp decodes and browsers display. */
export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** What file-type needs to see: the first few KB (its own minimum sample is 4100 bytes). */
export const SNIFF_BYTES = 4100;

export interface Sniffed {
  /** The MIME type the bytes prove, or application/octet-stream. */
  type: string;
  image: ImageType | null;
}

export const isImageType = (type: string): type is ImageType => (IMAGE_TYPES as readonly string[]).includes(type);

export async function sniff(head: Buffer): Promise<Sniffed> {
  const found = await fileTypeFromBuffer(head);
  const type = found?.mime ?? "application/octet-stream";
  return { type, image: isImageType(type) ? type : null };
}
