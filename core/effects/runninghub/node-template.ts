import { z } from 'zod';
import { RUNNINGHUB_ID } from './runninghub-ids.js';
import type { CreateTaskRequest, NodeInfo, UploadedImage } from './runninghub-types.js';

const runningHubId = z.string().regex(RUNNINGHUB_ID, 'must be a RunningHub id as a string of digits (ids overflow JS numbers)');

const nodeSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('image') }),
  z.strictObject({ kind: z.literal('param'), key: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('constant'), value: z.string().max(10_000) }),
]);

const templateNode = z.strictObject({
  /** ComfyUI node ids are numbers as strings; subgraph nodes read like `12:5`. */
  nodeId: z.string().regex(/^[0-9A-Za-z:_-]{1,64}$/),
  fieldName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
  source: nodeSource,
});

/**
 * How an effect runs on RunningHub: which workflow or AI app, on which instance type, and what goes into each
 * node field — the uploaded image, one of the user's params (by key in the effect's params schema), or a constant.
 */
export const nodeTemplateSchema = z
  .strictObject({
    workflowId: runningHubId.optional(),
    webappId: runningHubId.optional(),
    instanceType: z.enum(['default', 'plus']).default('default'),
    nodes: z.array(templateNode).min(1).max(100),
  })
  .superRefine((template, ctx) => {
    if ((template.workflowId === undefined) === (template.webappId === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of workflowId and webappId', path: ['workflowId'] });
    }
    if (!template.nodes.some((node) => node.source.kind === 'image')) {
      ctx.addIssue({ code: 'custom', message: 'no node takes the uploaded image', path: ['nodes'] });
    }
    const seen = new Set<string>();
    template.nodes.forEach((node, index) => {
      const field = `${node.nodeId}.${node.fieldName}`;
      if (seen.has(field)) ctx.addIssue({ code: 'custom', message: `${field} is set twice`, path: ['nodes', index] });
      seen.add(field);
    });
  });

export type NodeTemplate = z.output<typeof nodeTemplateSchema>;

/** A template that cannot serve the params it was given: the catalog and the effect's params schema disagree. */
export class NodeTemplateError extends Error {
  override name = 'NodeTemplateError';
}

/** The template in `input`, or a NodeTemplateError listing every problem (`nodes.2.fieldName: ...`). */
export function parseNodeTemplate(input: unknown): NodeTemplate {
  const parsed = nodeTemplateSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new NodeTemplateError(`invalid RunningHub node template: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(template)'}: ${issue.message}`).join('; ')}`);
}

/** The param keys a template reads, so a catalog can check them against the effect's params schema once. */
export function templateParamKeys(template: NodeTemplate): string[] {
  return [...new Set(template.nodes.flatMap((node) => (node.source.kind === 'param' ? [node.source.key] : [])))];
}

/**
 * `nodeInfoList` for one run. `params` were validated by the effect's schema already; each value becomes the
 * string RunningHub wants (numbers and booleans as written, never via JSON).
 */
export function buildNodeInfoList(template: NodeTemplate, input: { imageFileName: string; params: Readonly<Record<string, unknown>> }): NodeInfo[] {
  if (!input.imageFileName) throw new NodeTemplateError('no uploaded image file name');
  return template.nodes.map((node) => {
    const { source } = node;
    const fieldValue = source.kind === 'image' ? input.imageFileName : source.kind === 'constant' ? source.value : paramValue(input.params, source.key);
    return { nodeId: node.nodeId, fieldName: node.fieldName, fieldValue };
  });
}

/** The whole create request: target, instance type, node values, and the upload's region (the task must run there). */
export function buildTaskRequest(template: NodeTemplate, input: { image: UploadedImage; params: Readonly<Record<string, unknown>> }): CreateTaskRequest {
  const nodeInfoList = buildNodeInfoList(template, { imageFileName: input.image.fileName, params: input.params });
  const common = { nodeInfoList, instanceType: template.instanceType, region: input.image.region };
  return template.workflowId !== undefined ? { ...common, workflowId: template.workflowId } : { ...common, webappId: template.webappId! };
}

function paramValue(params: Readonly<Record<string, unknown>>, key: string): string {
  const value = Object.hasOwn(params, key) ? params[key] : undefined;
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'number':
      if (Number.isFinite(value)) return String(value);
      break;
    case 'undefined':
      throw new NodeTemplateError(`the template reads param "${key}", which the params do not have`);
    case 'symbol':
    case 'function':
    case 'object':
      break;
  }
  throw new NodeTemplateError(`param "${key}" is not a string, number or boolean`);
}
