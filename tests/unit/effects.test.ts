import sharp from 'sharp';
import { describe, it, expect, beforeAll } from 'vitest';
import type { LocalEffect, RenderedImage } from '../../core/effects/effect-definition.js';
import { effectParamsJsonSchema, findLocalEffect, localEffects } from '../../core/effects/local/index.js';
import { makeSamplePhoto } from '../../core/effects/sample-photo.js';

// Mean absolute difference per 8-bit sample; an effect "looks different" above these.
const MIN_DIFFERENCE_FROM_INPUT = 10;
const MIN_DIFFERENCE_BETWEEN_EFFECTS = 12;

const visualEffects = localEffects.filter((effect) => !effect.diagnostic);
const noProgress = { reportProgress: () => undefined };

async function render(effect: LocalEffect, input: Buffer, params: Record<string, unknown> = {}): Promise<RenderedImage> {
  return effect.render(input, effect.params.parse(params), noProgress);
}

/** Decoded RGB samples, whatever the encoding (grey JPEGs come back as three equal channels). */
async function rgbSamples(image: Buffer): Promise<Buffer> {
  return sharp(image).removeAlpha().toColourspace('srgb').raw().toBuffer();
}

function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs(a[i]! - b[i]!);
  return total / a.length;
}

interface NumberSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  title?: string;
  description?: string;
  default?: unknown;
}

function schemaProperties(effect: LocalEffect): Record<string, NumberSchema> {
  return (effectParamsJsonSchema(effect) as { properties?: Record<string, NumberSchema> }).properties ?? {};
}

describe('local effect catalog', () => {
  it('has at least six visual effects with unique ids, findable by id', () => {
    expect(visualEffects.length).toBeGreaterThanOrEqual(6);
    const ids = localEffects.map((effect) => effect.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['sketch', 'vintage', 'pop-art', 'cartoon', 'black-white', 'soft-portrait', 'passthrough'])
      expect(findLocalEffect(id)?.id).toBe(id);
    expect(findLocalEffect('no-such-effect')).toBeUndefined();
  });

  it.each(localEffects.map((effect) => [effect.id, effect] as const))(
    '%s has English and Chinese texts and a cost of 1–3 credits',
    (_id, effect) => {
      for (const text of [effect.name, effect.description]) {
        expect(text.en.length).toBeGreaterThan(0);
        expect(text.zh).toMatch(/[\u4e00-\u9fff]/);
      }
      expect(effect.costCredits).toBeGreaterThanOrEqual(1);
      expect(effect.costCredits).toBeLessThanOrEqual(3);
    },
  );

  it.each(localEffects.map((effect) => [effect.id, effect] as const))(
    '%s publishes a form-ready JSON schema and validates params against it',
    (_id, effect) => {
      expect(() => effect.params.parse({})).not.toThrow();
      const properties = schemaProperties(effect);
      expect(Object.keys(properties).length).toBeGreaterThan(0);
      for (const [field, schema] of Object.entries(properties)) {
        expect(schema.title, field).toBeTruthy();
        expect(schema.description, field).toBeTruthy();
        expect(schema.default, field).toBeDefined();
        if (schema.type !== 'integer') continue;
        expect(schema.minimum, field).toBeTypeOf('number');
        expect(schema.maximum, field).toBeTypeOf('number');
        expect(effect.params.safeParse({ [field]: schema.maximum! + 1 }).success, `${field} above max`).toBe(false);
        expect(effect.params.safeParse({ [field]: schema.minimum! - 1 }).success, `${field} below min`).toBe(false);
        expect(effect.params.safeParse({ [field]: 'strong' }).success, `${field} as a string`).toBe(false);
      }
      expect(effect.params.safeParse({ notAParam: 1 }).success).toBe(false);
    },
  );
});

describe('local effects on a photo', () => {
  let input: Buffer;
  let inputSamples: Buffer;
  const outputs = new Map<string, Buffer>();

  beforeAll(async () => {
    input = await makeSamplePhoto(320, 240);
    inputSamples = await rgbSamples(input);
    for (const effect of visualEffects) outputs.set(effect.id, await rgbSamples((await render(effect, input)).data));
  });

  it.each(localEffects.map((effect) => [effect.id, effect] as const))(
    '%s returns a decodable JPEG of the input size and reports progress',
    async (_id, effect) => {
      const progress: number[] = [];
      const rendered = await effect.render(input, effect.params.parse({}), { reportProgress: (p) => void progress.push(p) });
      const metadata = await sharp(rendered.data).metadata();
      expect(rendered.mime).toBe('image/jpeg');
      expect(metadata.format).toBe('jpeg');
      expect([metadata.width, metadata.height]).toEqual([320, 240]);
      expect([rendered.width, rendered.height]).toEqual([320, 240]);
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.every((p) => p >= 0 && p <= 100)).toBe(true);
    },
  );

  it.each(visualEffects.map((effect) => [effect.id] as const))('%s visibly changes the photo', (id) => {
    expect(meanAbsoluteDifference(outputs.get(id)!, inputSamples)).toBeGreaterThan(MIN_DIFFERENCE_FROM_INPUT);
  });

  it('makes every pair of effects look clearly different from each other', () => {
    const ids = [...outputs.keys()];
    for (const [i, a] of ids.entries())
      for (const b of ids.slice(i + 1))
        expect(meanAbsoluteDifference(outputs.get(a)!, outputs.get(b)!), `${a} vs ${b}`).toBeGreaterThan(
          MIN_DIFFERENCE_BETWEEN_EFFECTS,
        );
  });

  it('renders the same photo the same way every time', async () => {
    for (const effect of visualEffects) {
      const again = await rgbSamples((await render(effect, input)).data);
      expect(again.equals(outputs.get(effect.id)!), effect.id).toBe(true);
    }
  });

  it('responds to its parameters', async () => {
    const sketch = findLocalEffect('sketch')!;
    const light = await rgbSamples((await render(sketch, input, { darkness: 0 })).data);
    const dark = await rgbSamples((await render(sketch, input, { darkness: 100 })).data);
    expect(meanAbsoluteDifference(light, dark)).toBeGreaterThan(2);
  });
});

describe('local effects on unusual inputs', () => {
  it.each(localEffects.map((effect) => [effect.id, effect] as const))(
    '%s keeps transparency: PNG in with alpha, PNG out with the same alpha',
    async (_id, effect) => {
      const alpha = Buffer.alloc(96 * 64);
      for (let i = 0; i < alpha.length; i++) alpha[i] = i % 96 < 48 ? 255 : 0;
      const photo = await sharp(await makeSamplePhoto(96, 64))
        .joinChannel(alpha, { raw: { width: 96, height: 64, channels: 1 } })
        .png()
        .toBuffer();
      const rendered = await render(effect, photo);
      expect(rendered.mime).toBe('image/png');
      const { data, info } = await sharp(rendered.data).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([96, 64, 4]);
      expect(data[3]).toBe(255);
      expect(data[(96 - 1) * 4 + 3]).toBe(0);
    },
  );

  it.each(localEffects.map((effect) => [effect.id, effect] as const))(
    '%s handles odd sizes, greyscale and WebP input',
    async (_id, effect) => {
      const odd = await sharp(await makeSamplePhoto(101, 77)).webp().toBuffer();
      const oddResult = await render(effect, odd);
      expect([oddResult.width, oddResult.height]).toEqual([101, 77]);
      const grey = await sharp(await makeSamplePhoto(64, 48)).greyscale().png().toBuffer();
      const greyResult = await render(effect, grey);
      expect((await sharp(greyResult.data).metadata()).width).toBe(64);
    },
  );

  it.each(localEffects.map((effect) => [effect.id, effect] as const))(
    '%s lets sharp’s error through for bytes that are not an image',
    async (_id, effect) => {
      await expect(render(effect, Buffer.from('definitely not a photo'))).rejects.toThrow(/unsupported image format/i);
    },
  );
});

describe('passthrough diagnostic effect', () => {
  const passthrough = findLocalEffect('passthrough')!;

  it('is diagnostic and returns a JPEG as the very same bytes', async () => {
    expect(passthrough.diagnostic).toBe(true);
    const photo = await makeSamplePhoto(320, 240);
    const rendered = await render(passthrough, photo);
    expect(rendered.data.equals(photo)).toBe(true);
    expect([rendered.width, rendered.height, rendered.mime]).toEqual([320, 240, 'image/jpeg']);
  });

  it('holds for holdMs while reporting progress', async () => {
    const photo = await makeSamplePhoto(64, 48);
    const progress: number[] = [];
    const started = Date.now();
    await passthrough.render(photo, passthrough.params.parse({ holdMs: 800 }), {
      reportProgress: (p) => void progress.push(p),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(790);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('stops early when the job is aborted', async () => {
    const photo = await makeSamplePhoto(64, 48);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('job canceled')), 150);
    const started = Date.now();
    await expect(
      passthrough.render(photo, passthrough.params.parse({ holdMs: 30_000 }), { ...noProgress, signal: controller.signal }),
    ).rejects.toThrow('job canceled');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects a hold longer than a minute', () => {
    expect(passthrough.params.safeParse({ holdMs: 60_001 }).success).toBe(false);
    expect(passthrough.params.safeParse({ holdMs: 1.5 }).success).toBe(false);
  });
});
