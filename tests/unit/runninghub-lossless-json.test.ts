import { describe, expect, it } from 'vitest';
import { parseJsonKeepingLongIntegers, quoteLongIntegers } from '../../core/effects/runninghub/lossless-json.js';
import { runningHubIdFrom } from '../../core/effects/runninghub/runninghub-ids.js';
import { parseTaskEndNotice } from '../../core/effects/runninghub/task-end-webhook.js';

describe('parsing RunningHub JSON without losing id digits', () => {
  it('keeps a bare 19-digit taskId to the digit, where JSON.parse rounds it', () => {
    const text = '{"code":0,"msg":"success","data":{"taskId":1952457929792401409,"taskStatus":"QUEUED"}}';
    expect(String(JSON.parse(text).data.taskId)).not.toBe('1952457929792401409');
    expect(parseJsonKeepingLongIntegers(text)).toEqual({ code: 0, msg: 'success', data: { taskId: '1952457929792401409', taskStatus: 'QUEUED' } });
  });

  it('leaves safe integers, fractions, exponents and negatives as numbers', () => {
    expect(parseJsonKeepingLongIntegers('[0,-1,421,9007199254740991,0.05,1e21,-2.5E-3,12345678901234567.5]')).toEqual([
      0, -1, 421, 9007199254740991, 0.05, 1e21, -2.5e-3, Number('12345678901234567.5'),
    ]);
  });

  it('quotes every unsafe integer, the first one past 2^53 and negative ones included', () => {
    expect(parseJsonKeepingLongIntegers('[9007199254740992,-1952457929792401409,{"a":[1949831786093264897]}]')).toEqual([
      '9007199254740992',
      '-1952457929792401409',
      { a: ['1949831786093264897'] },
    ]);
  });

  it('does not touch digits inside strings, escaped quotes and backslashes included', () => {
    const text = '{"msg":"task 1952457929792401409 \\"1952457929792401409\\" \\\\","n":1952457929792401409}';
    expect(parseJsonKeepingLongIntegers(text)).toEqual({ msg: 'task 1952457929792401409 "1952457929792401409" \\', n: '1952457929792401409' });
  });

  it('copies text without long integers unchanged, whitespace and all', () => {
    const text = '{ "code" : 804 ,\n "data" : null , "list": [ true, false ] }';
    expect(quoteLongIntegers(text)).toBe(text);
  });

  it('still rejects text that is not JSON', () => {
    expect(() => parseJsonKeepingLongIntegers('<html>502 Bad Gateway</html>')).toThrow(SyntaxError);
    expect(() => parseJsonKeepingLongIntegers('{"taskId": 1952457929792401409')).toThrow(SyntaxError);
  });
});

describe('RunningHub ids', () => {
  it('accept strings of digits and safe integers, refuse numbers that already lost digits', () => {
    expect(runningHubIdFrom('1952457929792401409')).toBe('1952457929792401409');
    expect(runningHubIdFrom(12345)).toBe('12345');
    expect(runningHubIdFrom(Number('1952457929792401409'))).toBeUndefined();
    expect(runningHubIdFrom('19524579297924014O9')).toBeUndefined();
    expect(runningHubIdFrom(-5)).toBeUndefined();
    expect(runningHubIdFrom(null)).toBeUndefined();
  });
});

describe('the TASK_END webhook notice', () => {
  it('names the task to the digit from a bare-number taskId', () => {
    const body = '{"event":"TASK_END","taskId":1952457929792401409,"eventData":"{\\"code\\":0,\\"data\\":[]}"}';
    expect(parseTaskEndNotice(body)).toEqual({ taskId: '1952457929792401409' });
    expect(parseTaskEndNotice(Buffer.from(body))).toEqual({ taskId: '1952457929792401409' });
  });

  it('ignores other events, malformed ids and bodies that are not JSON', () => {
    expect(parseTaskEndNotice('{"event":"TASK_START","taskId":"1952457929792401409"}')).toBeUndefined();
    expect(parseTaskEndNotice('{"event":"TASK_END","taskId":"../etc"}')).toBeUndefined();
    expect(parseTaskEndNotice('{"event":"TASK_END"}')).toBeUndefined();
    expect(parseTaskEndNotice('event=TASK_END')).toBeUndefined();
  });
});
