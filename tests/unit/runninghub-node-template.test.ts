import { describe, expect, it } from 'vitest';
import {
  buildNodeInfoList,
  buildTaskRequest,
  NodeTemplateError,
  parseNodeTemplate,
  templateParamKeys,
} from '../../core/effects/runninghub/node-template.js';

// Background replace, as the original app ran it (workflow 1949831786093264897).
const backgroundReplace = {
  workflowId: '1949831786093264897',
  instanceType: 'plus',
  nodes: [
    { nodeId: '240', fieldName: 'image', source: { kind: 'image' } },
    { nodeId: '284', fieldName: 'image', source: { kind: 'image' } },
    { nodeId: '279', fieldName: 'prompt', source: { kind: 'param', key: 'prompt' } },
    { nodeId: '351', fieldName: 'select', source: { kind: 'param', key: 'style' } },
    { nodeId: '3', fieldName: 'seed', source: { kind: 'constant', value: '42' } },
  ],
};

describe('RunningHub node templates', () => {
  it('builds nodeInfoList from the uploaded file name, the params and the constants, every value a string', () => {
    const template = parseNodeTemplate(backgroundReplace);
    const list = buildNodeInfoList(template, { imageFileName: 'api/5b1c.png', params: { prompt: 'a beach at dusk', style: 2, unused: true } });
    expect(list).toEqual([
      { nodeId: '240', fieldName: 'image', fieldValue: 'api/5b1c.png' },
      { nodeId: '284', fieldName: 'image', fieldValue: 'api/5b1c.png' },
      { nodeId: '279', fieldName: 'prompt', fieldValue: 'a beach at dusk' },
      { nodeId: '351', fieldName: 'select', fieldValue: '2' },
      { nodeId: '3', fieldName: 'seed', fieldValue: '42' },
    ]);
  });

  it('writes numbers and booleans as written, not through JSON', () => {
    const template = parseNodeTemplate({
      webappId: '1941076109855453186',
      nodes: [
        { nodeId: '333', fieldName: 'image', source: { kind: 'image' } },
        { nodeId: '10', fieldName: 'strength', source: { kind: 'param', key: 'strength' } },
        { nodeId: '11', fieldName: 'enabled', source: { kind: 'param', key: 'enabled' } },
      ],
    });
    expect(buildNodeInfoList(template, { imageFileName: 'api/x.png', params: { strength: 0.75, enabled: false } }).map((node) => node.fieldValue)).toEqual([
      'api/x.png',
      '0.75',
      'false',
    ]);
  });

  it('makes the whole create request for a workflow or an AI app, pinned to the upload region', () => {
    const image = { fileName: 'api/a.png', region: 'hk' as const };
    const workflow = buildTaskRequest(parseNodeTemplate(backgroundReplace), { image, params: { prompt: 'p', style: 'warm' } });
    expect(workflow).toMatchObject({ workflowId: '1949831786093264897', instanceType: 'plus', region: 'hk' });
    expect(workflow.webappId).toBeUndefined();

    const app = buildTaskRequest(parseNodeTemplate({ webappId: '1949030128047857666', nodes: [{ nodeId: '386', fieldName: 'image', source: { kind: 'image' } }] }), { image, params: {} });
    expect(app).toEqual({ webappId: '1949030128047857666', instanceType: 'default', region: 'hk', nodeInfoList: [{ nodeId: '386', fieldName: 'image', fieldValue: 'api/a.png' }] });
  });

  it('lists the param keys a template reads, once each', () => {
    const template = parseNodeTemplate({
      ...backgroundReplace,
      nodes: [...backgroundReplace.nodes, { nodeId: '400', fieldName: 'text', source: { kind: 'param', key: 'prompt' } }],
    });
    expect(templateParamKeys(template)).toEqual(['prompt', 'style']);
  });

  it('refuses a param the params do not have, or one that is not a scalar', () => {
    const template = parseNodeTemplate(backgroundReplace);
    expect(() => buildNodeInfoList(template, { imageFileName: 'api/a.png', params: { prompt: 'x' } })).toThrow(/param "style"/);
    expect(() => buildNodeInfoList(template, { imageFileName: 'api/a.png', params: { prompt: 'x', style: { a: 1 } } })).toThrow(NodeTemplateError);
    expect(() => buildNodeInfoList(template, { imageFileName: 'api/a.png', params: { prompt: 'x', style: Number.NaN } })).toThrow(NodeTemplateError);
    expect(() => buildNodeInfoList(template, { imageFileName: 'api/a.png', params: Object.create({ prompt: 'inherited', style: 'x' }) as Record<string, unknown> })).toThrow(/param "prompt"/);
  });

  it.each([
    ['an id given as a number', { ...backgroundReplace, workflowId: Number('1949831786093264897') }, /workflowId/],
    ['both a workflow and an app', { ...backgroundReplace, webappId: '1941076109855453186' }, /exactly one/],
    ['neither a workflow nor an app', { nodes: backgroundReplace.nodes }, /exactly one/],
    ['no node for the image', { ...backgroundReplace, nodes: backgroundReplace.nodes.slice(2) }, /uploaded image/],
    ['a field set twice', { ...backgroundReplace, nodes: [...backgroundReplace.nodes, backgroundReplace.nodes[0]] }, /240\.image is set twice/],
    ['an unknown source', { ...backgroundReplace, nodes: [{ nodeId: '1', fieldName: 'image', source: { kind: 'url' } }] }, /nodes\.0\.source/],
    ['an odd instance type', { ...backgroundReplace, instanceType: 'turbo' }, /instanceType/],
    ['an extra key', { ...backgroundReplace, priority: 1 }, /priority/],
  ])('rejects a template with %s, naming the problem', (_what, input, message) => {
    expect(() => parseNodeTemplate(input)).toThrow(message);
  });
});
