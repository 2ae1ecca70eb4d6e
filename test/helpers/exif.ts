// A JPEG carrying what phones put in theirs: an EXIF block (APP1) with an orientation, a camera name and a GPS
// position, written by hand (TIFF, little-endian), so a test can check that none of it survives an upload.
// Layout: "Exif\0\0", TIFF header, IFD0 (Make, Orientation, GPS pointer), the GPS IFD, then the values.

const TYPE = { ascii: 2, short: 3, long: 4, rational: 5 } as const;

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** A value of 4 bytes or fewer, inline; a longer one goes to the data area. */
  bytes: Buffer;
}

const u16 = (n: number): Buffer => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const ascii = (tag: number, text: string): Entry => ({ tag, type: TYPE.ascii, count: text.length + 1, bytes: Buffer.from(`${text}\0`, "latin1") });
const rationals = (tag: number, values: [number, number][]): Entry => ({ tag, type: TYPE.rational, count: values.length, bytes: Buffer.concat(values.flatMap(([n, d]) => [u32(n), u32(d)])) });

/** One IFD at `offset` (from the TIFF header): its entries, the next-IFD link, then its out-of-line values. */
function ifd(entries: Entry[], offset: number, next: number): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  let data = offset + 2 + sorted.length * 12 + 4;
  const head: Buffer[] = [u16(sorted.length)];
  const tail: Buffer[] = [];
  for (const e of sorted) {
    head.push(u16(e.tag), u16(e.type), u32(e.count));
    if (e.bytes.length <= 4) head.push(Buffer.concat([e.bytes, Buffer.alloc(4 - e.bytes.length)]));
    else {
      head.push(u32(data));
      tail.push(e.bytes);
      data += e.bytes.length;
    }
  }
  head.push(u32(next));
  return Buffer.concat([...head, ...tail]);
}

export interface PhoneExif {
  make: string;
  /** EXIF orientation 1-8 (6: the camera was turned a quarter to the right). */
  orientation: number;
  latitude: [number, number, number];
  longitude: [number, number, number];
}

/** The EXIF APP1 segment for `exif`. */
export function exifSegment(exif: PhoneExif): Buffer {
  const gpsEntries: Entry[] = [
    ascii(0x0001, "N"),
    rationals(0x0002, exif.latitude.map((v) => [v, 1])),
    ascii(0x0003, "W"),
    rationals(0x0004, exif.longitude.map((v) => [v, 1])),
  ];
  const ifd0Count = 3;
  const ifd0Size = 2 + ifd0Count * 12 + 4 + exif.make.length + 1;
  const gpsOffset = 8 + ifd0Size;
  const ifd0 = ifd(
    [ascii(0x010f, exif.make), { tag: 0x0112, type: TYPE.short, count: 1, bytes: u16(exif.orientation) }, { tag: 0x8825, type: TYPE.long, count: 1, bytes: u32(gpsOffset) }],
    8,
    0,
  );
  const gps = ifd(gpsEntries, gpsOffset, 0);
  const tiff = Buffer.concat([Buffer.from("II*\0", "latin1"), u32(8), ifd0, gps]);
  const body = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  return Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.from([((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff]), body]);
}

/** The JPEG with the EXIF segment right after its start marker (any EXIF it had stays after it; sharp reads the first). */
export function withExif(jpeg: Buffer, exif: PhoneExif): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  return Buffer.concat([jpeg.subarray(0, 2), exifSegment(exif), jpeg.subarray(2)]);
}

/** The bytes a GPS IFD's latitude would have in the file: what must not be found in anything served. */
export function gpsLatitudeBytes(exif: PhoneExif): Buffer {
  return rationals(0x0002, exif.latitude.map((v) => [v, 1])).bytes;
}
