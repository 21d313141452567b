import sharp, { type Sharp } from 'sharp';

/**
 * An uploaded photo decoded once to raw 8-bit sRGB, so an effect can run several sharp pipelines over it
 * without decoding the JPEG again (decoding a 12 MP JPEG costs ~150 ms). The alpha channel, if any, is kept
 * aside and re-attached on encode: effects only ever see three colour channels.
 */
export interface DecodedPhoto {
  rgb: Buffer;
  width: number;
  height: number;
  alpha?: Buffer;
}

/** Throws sharp's own error for an undecodable input; the job runner classifies it by message. */
export async function decodePhoto(input: Buffer): Promise<DecodedPhoto> {
  const oriented = sharp(input).rotate();
  const { hasAlpha } = await oriented.clone().metadata();
  const { data, info } = await oriented
    .clone()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 colour channels after decoding, sharp produced ${info.channels}`);
  const photo: DecodedPhoto = { rgb: data, width: info.width, height: info.height };
  if (hasAlpha) photo.alpha = await oriented.clone().extractChannel('alpha').raw().toBuffer();
  return photo;
}

/** A fresh sharp pipeline over raw pixels (3 channels unless told otherwise). */
export function fromRaw(pixels: Buffer, photo: Pick<DecodedPhoto, 'width' | 'height'>, channels: 1 | 3 = 3): Sharp {
  return sharp(pixels, { raw: { width: photo.width, height: photo.height, channels } });
}

/**
 * Runs a pipeline to raw pixels, so the next step sees its result (sharp applies operations in a fixed order,
 * not in call order). Grey results must ask for one channel: sharp's output is sRGB unless told otherwise, so
 * a one-channel pipeline would silently come back as three.
 */
export async function toRaw(image: Sharp, channels: 1 | 3 = 3): Promise<Buffer> {
  const { data, info } = await image
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`expected ${channels} raw channels, sharp produced ${info.channels}`);
  return data;
}

/**
 * How many "1000-px units" the photo's long edge is: blur radii and line widths are multiplied by it, so an
 * effect looks the same on a 480 px preview and on a 50 MP original.
 */
export function sizeScale(photo: Pick<DecodedPhoto, 'width' | 'height'>): number {
  return Math.max(photo.width, photo.height) / 1000;
}
