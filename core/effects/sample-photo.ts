import sharp from 'sharp';
import { seededGrain } from './seeded-grain.js';

/**
 * Draws the scene on a 960×720 canvas; the SVG viewBox scales it to any requested size, so every size shows
 * the same picture.
 */
function sceneSvg(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 960 720" preserveAspectRatio="none">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#1d4f9c"/><stop offset="0.55" stop-color="#6fa8dc"/><stop offset="1" stop-color="#f6c98b"/>
    </linearGradient>
    <radialGradient id="sun" cx="0.5" cy="0.5" r="0.5">
      <stop offset="0" stop-color="#fffbe0"/><stop offset="0.45" stop-color="#ffd54a"/><stop offset="1" stop-color="#ffb347" stop-opacity="0"/>
    </radialGradient>
    <linearGradient id="farHill" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#5b7fa8"/><stop offset="1" stop-color="#3d5f86"/>
    </linearGradient>
    <linearGradient id="nearHill" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#6dbb4b"/><stop offset="1" stop-color="#2e6b24"/>
    </linearGradient>
    <linearGradient id="lake" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#2a6fb0"/><stop offset="1" stop-color="#0f3a66"/>
    </linearGradient>
    <radialGradient id="skin" cx="0.4" cy="0.35" r="0.7">
      <stop offset="0" stop-color="#ffe0c4"/><stop offset="1" stop-color="#d99a72"/>
    </radialGradient>
    <filter id="soft"><feGaussianBlur stdDeviation="6"/></filter>
  </defs>

  <rect width="960" height="720" fill="url(#sky)"/>
  <circle cx="740" cy="170" r="120" fill="url(#sun)"/>
  <g fill="#ffffff" opacity="0.85" filter="url(#soft)">
    <ellipse cx="220" cy="120" rx="110" ry="30"/><ellipse cx="290" cy="100" rx="70" ry="34"/>
    <ellipse cx="520" cy="70" rx="90" ry="22"/>
  </g>

  <path d="M0 390 Q 160 250 330 340 T 640 300 T 960 350 L 960 720 L 0 720 Z" fill="url(#farHill)"/>
  <path d="M0 470 Q 200 360 420 450 T 960 430 L 960 720 L 0 720 Z" fill="url(#nearHill)"/>
  <path d="M520 560 Q 700 500 960 540 L 960 720 L 470 720 Z" fill="url(#lake)"/>
  <g stroke="#d7ecff" stroke-width="3" opacity="0.7">
    <line x1="600" y1="590" x2="690" y2="590"/><line x1="740" y1="620" x2="860" y2="620"/><line x1="640" y1="665" x2="720" y2="665"/>
  </g>

  <rect x="108" y="380" width="18" height="110" fill="#5a3b1f"/>
  <circle cx="117" cy="360" r="52" fill="#1f5e2a"/><circle cx="88" cy="388" r="34" fill="#2d7a36"/><circle cx="150" cy="384" r="36" fill="#2a6e33"/>
  <g fill="#e8433a"><circle cx="240" cy="610" r="9"/><circle cx="300" cy="640" r="8"/><circle cx="190" cy="660" r="10"/></g>
  <g fill="#f4e04d"><circle cx="268" cy="585" r="7"/><circle cx="340" cy="600" r="8"/><circle cx="215" cy="630" r="6"/></g>

  <path d="M360 720 Q 365 560 470 540 Q 575 560 580 720 Z" fill="#c0392b"/>
  <path d="M445 548 L 470 600 L 495 548 Z" fill="#f5f5f5"/>
  <rect x="452" y="500" width="36" height="52" fill="#e3a982"/>
  <ellipse cx="470" cy="430" rx="78" ry="92" fill="url(#skin)"/>
  <path d="M390 425 Q 385 330 470 326 Q 560 330 552 430 Q 540 372 470 370 Q 405 372 390 425 Z" fill="#3b2314"/>
  <ellipse cx="442" cy="428" rx="11" ry="8" fill="#ffffff"/><ellipse cx="498" cy="428" rx="11" ry="8" fill="#ffffff"/>
  <circle cx="443" cy="429" r="5" fill="#2b1a10"/><circle cx="499" cy="429" r="5" fill="#2b1a10"/>
  <path d="M428 410 Q 442 402 456 410" stroke="#3b2314" stroke-width="4" fill="none"/>
  <path d="M484 410 Q 498 402 512 410" stroke="#3b2314" stroke-width="4" fill="none"/>
  <path d="M470 440 Q 464 462 474 466" stroke="#b77757" stroke-width="3" fill="none"/>
  <path d="M444 482 Q 470 502 498 482" stroke="#a8322a" stroke-width="5" fill="none" stroke-linecap="round"/>
  <ellipse cx="425" cy="466" rx="14" ry="8" fill="#f08c7a" opacity="0.5"/><ellipse cx="517" cy="466" rx="14" ry="8" fill="#f08c7a" opacity="0.5"/>
</svg>`;
}

/**
 * A colourful synthetic "photo" (sky, sun, hills, lake, tree, a smiling face, grain) as a JPEG, so effect
 * differences show without bundling stock images. Deterministic for a given size and sharp version. The grain
 * is made in JS because librsvg's feTurbulence takes ~30 s at 12 MP.
 */
export async function makeSamplePhoto(width = 960, height = 720): Promise<Buffer> {
  return sharp(Buffer.from(sceneSvg(width, height)))
    .flatten({ background: '#ffffff' })
    .composite([{ input: seededGrain(width, height, 40), raw: { width, height, channels: 1 }, blend: 'soft-light' }])
    .jpeg({ quality: 92 })
    .toBuffer();
}
