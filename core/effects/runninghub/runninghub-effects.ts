import { z } from 'zod';
import type { LocalizedText } from '../effect-definition.js';
import { parseNodeTemplate, templateParamKeys, type NodeTemplate } from './node-template.js';

export const RUNNINGHUB_PROVIDER = 'runninghub';

/** An effect that runs on RunningHub: its catalog entry plus how its workflow or AI app is fed. */
export interface RunningHubEffect {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  costCredits: number;
  /** Every field optional with a default, as for the embedded effects: `params.parse({})` is valid. */
  params: z.ZodObject;
  template: NodeTemplate;
}

const prompt = (fallback: string, title: string) => z.string().trim().min(1).max(500).default(fallback).meta({ title });

/*
 * The presets of the original app. Ids are RunningHub's (strings: 19 digits overflow JS numbers); node ids refer to
 * those workflows' API exports. To add one, see the README ("Adding a RunningHub effect").
 */
export const runningHubEffects: readonly RunningHubEffect[] = [
  {
    id: 'rh-background-replace',
    name: { en: 'Background replace', zh: '背景替换' },
    description: { en: 'Puts the subject in front of a new background described by your prompt.', zh: '按描述为人物更换背景。' },
    costCredits: 8,
    params: z.object({
      prompt: prompt('a sunny beach at golden hour', 'Background'),
      style: z.enum(['1', '2', '3']).default('1').meta({ title: 'Blend', description: '1 natural, 2 studio, 3 dramatic' }),
    }),
    template: parseNodeTemplate({
      workflowId: '1949831786093264897',
      nodes: [
        { nodeId: '240', fieldName: 'image', source: { kind: 'image' } },
        { nodeId: '284', fieldName: 'image', source: { kind: 'image' } },
        { nodeId: '279', fieldName: 'prompt', source: { kind: 'param', key: 'prompt' } },
        { nodeId: '351', fieldName: 'select', source: { kind: 'param', key: 'style' } },
      ],
    }),
  },
  {
    id: 'rh-face-restore',
    name: { en: 'Face detail restoration', zh: '面部细节修复' },
    description: { en: 'Restores detail in faces of blurry or old photos.', zh: '修复模糊或老照片中的面部细节。' },
    costCredits: 6,
    params: z.object({}),
    template: parseNodeTemplate({
      workflowId: '1952457929792401409',
      nodes: [
        { nodeId: '90', fieldName: 'image', source: { kind: 'image' } },
        { nodeId: '118', fieldName: 'image', source: { kind: 'image' } },
      ],
    }),
  },
  {
    id: 'rh-relight',
    name: { en: 'Relighting', zh: '重新打光' },
    description: { en: 'Relights the photo as your prompt describes.', zh: '按描述重新为照片打光。' },
    costCredits: 8,
    params: z.object({ prompt: prompt('soft window light from the left', 'Light') }),
    template: parseNodeTemplate({
      workflowId: '1952448857223442433',
      nodes: [
        { nodeId: '19', fieldName: 'image', source: { kind: 'image' } },
        { nodeId: '85', fieldName: 'prompt', source: { kind: 'param', key: 'prompt' } },
      ],
    }),
  },
  {
    id: 'rh-dreamy-portrait',
    name: { en: 'Dreamy portrait', zh: '梦幻写真' },
    description: { en: 'Restyles a portrait in a soft, dreamy look.', zh: '将人像转为柔和梦幻风格。' },
    costCredits: 10,
    params: z.object({}),
    template: parseNodeTemplate({ webappId: '1941076109855453186', nodes: [{ nodeId: '333', fieldName: 'image', source: { kind: 'image' } }] }),
  },
  {
    id: 'rh-custom-light',
    name: { en: 'Custom light colour', zh: '自定义光色' },
    description: { en: 'Adds coloured light of your choice.', zh: '添加自选颜色的光效。' },
    costCredits: 10,
    params: z.object({
      color: z.enum(['warm', 'cool', 'neon', 'sunset']).default('warm').meta({ title: 'Colour' }),
      prompt: prompt('cinematic rim light', 'Light'),
    }),
    template: parseNodeTemplate({
      webappId: '1949030128047857666',
      nodes: [
        { nodeId: '386', fieldName: 'image', source: { kind: 'image' } },
        { nodeId: '381', fieldName: 'select', source: { kind: 'param', key: 'color' } },
        { nodeId: '379', fieldName: 'prompt', source: { kind: 'param', key: 'prompt' } },
      ],
    }),
  },
];

// A template reading a param the schema does not declare would fail every job of the effect: refuse at load.
for (const effect of runningHubEffects) {
  const missing = templateParamKeys(effect.template).filter((key) => !(key in effect.params.shape));
  if (missing.length) throw new Error(`RunningHub effect ${effect.id}: its template reads undeclared params ${missing.join(', ')}`);
}

export function findRunningHubEffect(id: string): RunningHubEffect | undefined {
  return runningHubEffects.find((effect) => effect.id === id);
}

export const runningHubParamsJsonSchema = (effect: RunningHubEffect): Record<string, unknown> => z.toJSONSchema(effect.params, { io: 'input' });
