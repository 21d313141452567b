import type { DecodedPhoto } from './decoded-photo.js';
import { fromRaw, toRaw } from './decoded-photo.js';

// libvips' integer gaussian blur costs ~250 ms at 12 MP up to about this sigma, then grows quickly (sigma 80
// on RGB: ~2 s). Wider blurs run on a shrunken copy, blurred by this sigma, and are enlarged back.
const DIRECT_BLUR_MAX_SIGMA = 24;
const SHRUNK_SIGMA = 12;

/** A gaussian blur of raw pixels whose cost stays bounded however wide the blur (it scales with photo size). */
export async function wideBlur(
  pixels: Buffer,
  photo: Pick<DecodedPhoto, 'width' | 'height'>,
  channels: 1 | 3,
  sigma: number,
): Promise<Buffer> {
  if (sigma <= DIRECT_BLUR_MAX_SIGMA) return toRaw(fromRaw(pixels, photo, channels).blur(Math.max(0.3, sigma)), channels);
  const shrink = sigma / SHRUNK_SIGMA;
  const small = {
    width: Math.max(1, Math.round(photo.width / shrink)),
    height: Math.max(1, Math.round(photo.height / shrink)),
  };
  const blurredSmall = await toRaw(
    fromRaw(pixels, photo, channels).resize(small.width, small.height, { fit: 'fill', kernel: 'linear' }).blur(SHRUNK_SIGMA),
    channels,
  );
  // The blurred copy has no detail left, so bilinear enlarging is indistinguishable from a full-size blur.
  return toRaw(
    fromRaw(blurredSmall, small, channels).resize(photo.width, photo.height, { fit: 'fill', kernel: 'linear' }),
    channels,
  );
}
