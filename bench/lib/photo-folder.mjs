// A folder of generated photo-sized JPEGs for the photo pipeline benchmarks:
// 500x375 (ImageNet's typical size), photo-like content (gradients, edges and
// noise, so the files are ~60-100 KB as real photos at quality 90), 4 classes.
// Generated once into .bench/ (ignored by git) and reused by later runs.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sharp = createRequire(import.meta.url)('sharp');

/** The folder's path: `.bench/photos-N/class{0..3}/{i}.jpg`. */
export async function photoFolder(n) {
  const root = fileURLToPath(new URL(`../../.bench/photos-${n}`, import.meta.url));
  const done = join(root, '.complete');
  if (existsSync(done)) return root;
  rmSync(root, { recursive: true, force: true });
  const W = 500, H = 375;
  for (let c = 0; c < 4; c++) mkdirSync(join(root, `class${c}`), { recursive: true });
  let seed = 1;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const px = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const noise = 40 * rand(), o = 3 * (y * W + x), edge = ((x >> 5) + (y >> 5) + i) % 3 === 0 ? 70 : 0;
        px[o] = (x * 0.4 + i * 7 + noise + edge) & 255;
        px[o + 1] = (y * 0.6 + noise) & 255;
        px[o + 2] = ((x + y) * 0.25 + 2 * noise + edge) & 255;
      }
    }
    writeFileSync(join(root, `class${i % 4}`, `${i}.jpg`), await sharp(px, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  }
  writeFileSync(done, `${n} images\n`);
  console.log(`generated ${n} 500x375 JPEGs in ${root} (${((performance.now() - t0) / 1000).toFixed(0)} s, kept for later runs)`);
  return root;
}
