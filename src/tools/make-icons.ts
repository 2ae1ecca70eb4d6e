// Generates the web app manifest's PNG icons (issue 23 §1) from public/favicon.svg, once; the PNGs are
// committed, so neither a start nor a test runs this. Run it again after changing the SVG:
//   npx tsx src/tools/make-icons.ts
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const publicDir = fileURLToPath(new URL("../../public/", import.meta.url));
const svg = readFileSync(`${publicDir}favicon.svg`);
/** The favicon's own blue: a maskable icon's corners are cut by the launcher, so it fills the whole square. */
const BRAND = "#0a58ca";

async function main(): Promise<void> {
  // "any": the rounded favicon as it is, at the sizes browsers and launchers ask for.
  for (const size of [180, 192, 512]) {
    const name = size === 180 ? "apple-touch-icon.png" : `icon-${size}.png`;
    await sharp(svg, { density: (72 * size) / 64 }).resize(size, size).png().toFile(`${publicDir}icons/${name}`);
  }
  // "maskable": the drawing inside the 80 % safe zone (W3C Manifest, "icon masks"), on a full square of its colour.
  const inner = Math.round(512 * 0.8);
  const drawing = await sharp(svg, { density: (72 * inner) / 64 }).resize(inner, inner).png().toBuffer();
  await sharp({ create: { width: 512, height: 512, channels: 4, background: BRAND } })
    .composite([{ input: drawing, gravity: "center" }])
    .png()
    .toFile(`${publicDir}icons/icon-maskable-512.png`);
}

await main();
