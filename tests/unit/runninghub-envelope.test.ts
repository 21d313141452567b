import { describe, expect, it } from 'vitest';
import { parseJsonKeepingLongIntegers } from '../../core/effects/runninghub/lossless-json.js';
import { mapAccount, mapCancel, mapCreate, mapOutputs, mapStatus, mapUpload, readEnvelope, type Envelope } from '../../core/effects/runninghub/runninghub-envelope.js';

const env = (code: number, data: unknown = null, msg = ''): Envelope => ({ code, msg, data });
const fromText = (text: string) => readEnvelope(parseJsonKeepingLongIntegers(text))!;

describe('reading the envelope', () => {
  it('accepts a numeric or numeric-string code and refuses bodies that are not envelopes', () => {
    expect(readEnvelope({ code: '0', msg: 'success', data: 'RUNNING' })).toEqual({ code: 0, msg: 'success', data: 'RUNNING' });
    expect(readEnvelope({ code: 421, msg: null })).toEqual({ code: 421, msg: '', data: undefined });
    expect(readEnvelope({ status: 502, error: 'Bad Gateway' })).toBeUndefined();
    expect(readEnvelope('<html>')).toBeUndefined();
  });
});

describe('mapping a create answer', () => {
  it('keeps a bare-number taskId to the digit and reads the initial state', () => {
    const created = mapCreate(fromText('{"code":0,"msg":"success","data":{"taskId":1952457929792401409,"taskStatus":"RUNNING","promptTips":"{}"}}'));
    expect(created).toEqual({ kind: 'created', taskId: '1952457929792401409', state: 'running', promptTips: '{}' });
    expect(mapCreate(env(0, { taskId: '1952457929792401409', taskStatus: 'QUEUED' }))).toMatchObject({ kind: 'created', state: 'queued', promptTips: null });
  });

  it('treats a success without a usable taskId as a passing fault, never as a task', () => {
    expect(mapCreate(env(0, { taskStatus: 'QUEUED' }))).toMatchObject({ kind: 'capacity', problem: { runningHubCode: 'BAD_RESPONSE', envelopeCode: 0 } });
    // A number that already lost digits would name somebody else's task.
    expect(mapCreate(env(0, { taskId: 1952457929792401400 }))).toMatchObject({ kind: 'capacity', problem: { runningHubCode: 'BAD_RESPONSE' } });
  });

  it.each([
    [415, 'capacity', 'TASK_INSTANCE_MAXED'],
    [421, 'capacity', 'TASK_QUEUE_MAXED'],
    [500, 'capacity', 'SERVER_ERROR'],
    [808, 'capacity', 'APIKEY_UPLOAD_FAILED'],
    [380, 'misconfigured', 'WORKFLOW_NOT_EXISTS'],
    [810, 'misconfigured', 'WORKFLOW_NOT_SAVED_OR_NOT_RUNNING'],
    [901, 'misconfigured', 'WEBAPP_NOT_EXISTS'],
    [412, 'misconfigured', 'TOKEN_INVALID'],
    [801, 'misconfigured', 'APIKEY_UNSUPPORTED_FREE_USER'],
    [802, 'misconfigured', 'APIKEY_UNAUTHORIZED'],
    [803, 'misconfigured', 'APIKEY_INVALID_NODE_INFO'],
    [806, 'misconfigured', 'APIKEY_USER_NOT_FOUND'],
    [811, 'misconfigured', 'CORPAPIKEY_INVALID'],
    [416, 'misconfigured', 'TASK_CREATE_FAILED_BY_NOT_ENOUGH_WALLET'],
    [812, 'misconfigured', 'CORPAPIKEY_INSUFFICIENT_FUNDS'],
    [301, 'invalid', 'PARAMS_INVALID'],
    [433, 'invalid', 'VALIDATE_PROMPT_FAILED'],
    [809, 'invalid', 'APIKEY_FILE_SIZE_EXCEEDED'],
    [999, 'invalid', 'CODE_999'],
  ])('maps code %i to %s (%s)', (code, kind, name) => {
    expect(mapCreate(env(code, null, 'queue is full'))).toEqual({ kind, problem: { kind, runningHubCode: name, envelopeCode: code, providerMessage: 'queue is full' } });
  });
});

describe('mapping a task lookup', () => {
  it('reads 813 and 804 as queued and running', () => {
    expect(mapOutputs(env(813))).toEqual({ kind: 'queued' });
    expect(mapOutputs(env(804))).toEqual({ kind: 'running' });
    expect(mapStatus(env(804))).toEqual({ kind: 'status', status: 'running' });
  });

  it('reads the other doc version (code 0, no data) as unfinished', () => {
    expect(mapOutputs(env(0, null, 'APIKEY_TASK_IS_RUNNING'))).toEqual({ kind: 'unfinished' });
    expect(mapOutputs(env(0, []))).toEqual({ kind: 'unfinished' });
  });

  it('reads the outputs of a finished task with their cost, numbers or strings', () => {
    const outputs = mapOutputs(
      env(0, [
        { fileUrl: 'https://rh-images.oss-cn-beijing.aliyuncs.com/out/ComfyUI_00001_.png?Expires=1', fileType: 'png', nodeId: '9', taskCostTime: 12, consumeCoins: '25', consumeMoney: null },
        { fileUrl: 'https://rh-images.oss-cn-beijing.aliyuncs.com/out/b.webp', nodeId: 10, taskCostTime: '12', consumeCoins: '25', consumeMoney: '0.05' },
      ]),
    );
    expect(outputs).toEqual({
      kind: 'succeeded',
      outputs: [
        { fileUrl: 'https://rh-images.oss-cn-beijing.aliyuncs.com/out/ComfyUI_00001_.png?Expires=1', fileType: 'png', nodeId: '9' },
        { fileUrl: 'https://rh-images.oss-cn-beijing.aliyuncs.com/out/b.webp', fileType: 'webp', nodeId: '10' },
      ],
      cost: { consumeCoins: '25', consumeMoney: '0.05', taskCostTime: '12' },
    });
  });

  it('refuses outputs whose URL is not http(s)', () => {
    expect(mapOutputs(env(0, [{ fileUrl: 'file:///etc/passwd', fileType: 'png' }]))).toMatchObject({ kind: 'capacity', problem: { runningHubCode: 'BAD_RESPONSE' } });
  });

  it('reads 805 as a failed task with the node exception as its reason', () => {
    const failed = mapOutputs(
      env(805, { failedReason: { node_name: 'KSampler', node_id: '3', exception_type: 'torch.OutOfMemoryError', exception_message: 'CUDA out of memory', traceback: ['line 1\n', 'line 2\n'] } }, 'APIKEY_TASK_STATUS_ERROR'),
    );
    expect(failed).toEqual({
      kind: 'failed',
      reason: 'torch.OutOfMemoryError: CUDA out of memory (node KSampler #3)',
      failedReason: { nodeName: 'KSampler', nodeId: '3', exceptionType: 'torch.OutOfMemoryError', exceptionMessage: 'CUDA out of memory', traceback: 'line 1\nline 2\n' },
    });
    expect(mapOutputs(env(805, null, 'APIKEY_TASK_STATUS_ERROR'))).toEqual({ kind: 'failed', reason: 'APIKEY_TASK_STATUS_ERROR', failedReason: null });
    expect(mapOutputs(env(805, { failedReason: 'x'.repeat(2000) }))).toMatchObject({ kind: 'failed', reason: 'x'.repeat(500) });
  });

  it('reads 807 and 423 as not found, and key errors as misconfigured', () => {
    expect(mapOutputs(env(807))).toMatchObject({ kind: 'not_found', problem: { runningHubCode: 'APIKEY_TASK_NOT_FOUND' } });
    expect(mapStatus(env(423))).toMatchObject({ kind: 'not_found', problem: { envelopeCode: 423 } });
    expect(mapCancel(env(807))).toMatchObject({ kind: 'not_found' });
    expect(mapOutputs(env(802))).toMatchObject({ kind: 'misconfigured' });
  });

  it('reads the status call bare strings, and an unknown one as a passing fault', () => {
    expect(mapStatus(env(0, 'QUEUED'))).toEqual({ kind: 'status', status: 'queued' });
    expect(mapStatus(env(0, 'SUCCESS'))).toEqual({ kind: 'status', status: 'succeeded' });
    expect(mapStatus(env(0, 'failed'))).toEqual({ kind: 'status', status: 'failed' });
    expect(mapStatus(env(0, 'PAUSED'))).toMatchObject({ kind: 'capacity', problem: { runningHubCode: 'BAD_RESPONSE' } });
  });
});

describe('mapping the other calls', () => {
  it('reads an upload, a cancel and the account status', () => {
    expect(mapUpload(env(0, { fileName: 'api/9f2.png', fileType: 'image' }))).toEqual({ kind: 'uploaded', fileName: 'api/9f2.png' });
    expect(mapUpload(env(809))).toMatchObject({ kind: 'invalid', problem: { runningHubCode: 'APIKEY_FILE_SIZE_EXCEEDED' } });
    expect(mapCancel(env(0))).toEqual({ kind: 'cancelled' });
    expect(mapAccount(env(0, { remainCoins: '1000', currentTaskCounts: '2', remainMoney: 12.5, currency: 'CNY', apiType: 'NORMAL' }))).toEqual({
      kind: 'account',
      account: { remainCoins: '1000', remainMoney: '12.5', currency: 'CNY', currentTaskCounts: 2, apiType: 'NORMAL' },
    });
  });

  it('cuts RunningHub messages short', () => {
    expect(mapCreate(env(301, null, 'm'.repeat(1000)))).toMatchObject({ problem: { providerMessage: 'm'.repeat(200) } });
  });
});
