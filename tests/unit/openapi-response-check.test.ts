import { describe, expect, it } from 'vitest';
import { createContractChecker, type ObservedResponse } from '../support/openapi-contract.js';

const checker = createContractChecker();
const JOB_ID = '6f1c2b8e-3d4a-4b5c-9d6e-7f8091a2b3c4';
const job = {
  id: JOB_ID,
  status: 'queued',
  progress: 0,
  effectId: 'sketch',
  uploadId: '0b7e5c1a-2d3f-4a5b-8c6d-9e0f1a2b3c4d',
  uploadUrl: '/files/uploads/a.jpg?exp=1&sig=x',
  params: {},
  costCredits: 1,
  createdAt: '2026-12-02T00:00:00.000Z',
};

const response = (overrides: Partial<Omit<ObservedResponse, 'headers'>> & { headers?: Record<string, string> }): ObservedResponse => {
  const { headers, ...rest } = overrides;
  return {
    method: 'GET',
    path: `/api/jobs/${JOB_ID}`,
    status: 200,
    body: { job },
    ...rest,
    // A job view's own headers: the other operations' documents do not mind them.
    headers: new Headers({
      'content-type': 'application/json; charset=utf-8',
      'x-request-id': 'r-1',
      etag: 'W/"6f1c2b8e-1"',
      'cache-control': 'private, no-cache',
      ...headers,
    }),
  };
};

describe('the contract check of responses', () => {
  it('accepts a response that matches the document', () => {
    expect(checker.problems(response({}))).toEqual([]);
    expect(checker.problems(response({ path: `/api/jobs?limit=5`, body: { items: [job], nextCursor: null } }))).toEqual([]);
  });

  it('catches a field the document does not name', () => {
    expect(checker.problems(response({ body: { job: { ...job, secret: 'x' } } })).join()).toMatch(/additional properties: secret/);
  });

  it('catches a field of the wrong type or a missing one', () => {
    expect(checker.problems(response({ body: { job: { ...job, progress: '10' } } })).join()).toMatch(/progress must be integer/);
    const { status: _status, ...withoutStatus } = job;
    expect(checker.problems(response({ body: { job: withoutStatus } })).join()).toMatch(/required property 'status'/);
  });

  it('catches a status the operation does not document', () => {
    expect(checker.problems(response({ status: 418 })).join()).toMatch(/status 418 is not documented/);
  });

  it('catches an error code the status does not carry, and an error body of another shape', () => {
    const conflict = { error: { code: 'CONFLICT', message: 'no' } };
    expect(checker.problems(response({ status: 404, body: conflict })).join()).toMatch(/code must be equal to one of the allowed values/);
    expect(checker.problems(response({ status: 404, body: { message: 'Not found' } })).join()).toMatch(/required property 'error'/);
    expect(checker.problems(response({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Job not found' } } }))).toEqual([]);
  });

  it('catches a missing header the document requires, and a header of the wrong form', () => {
    const limited = { error: { code: 'RATE_LIMITED', message: 'slow down' } };
    expect(checker.problems(response({ path: '/api/effects', status: 429, body: limited })).join()).toMatch(/header Retry-After is missing/);
    expect(checker.problems(response({ path: '/api/effects', status: 429, body: limited, headers: { 'retry-after': 'soon' } })).join()).toMatch(
      /header Retry-After must match pattern/,
    );
    const noRequestId = response({});
    noRequestId.headers.delete('x-request-id');
    expect(checker.problems(noRequestId).join()).toMatch(/header X-Request-Id is missing/);
  });

  it('catches a content type the response does not list', () => {
    expect(checker.problems(response({ headers: { 'content-type': 'text/html' }, body: '<p>' })).join()).toMatch(/content type "text\/html"/);
  });

  it('catches a route the document does not describe, but takes the API’s own “no such route” 404', () => {
    expect(checker.problems(response({ path: '/api/secret', status: 200, body: {} })).join()).toMatch(/not in the document/);
    expect(checker.problems(response({ path: '/health/secret', status: 200, body: {} })).join()).toMatch(/not in the document/);
    // `/files/../` reaches the server as `/`: the web app's page, which is not the API's to describe.
    expect(checker.problems(response({ path: '/files/../', status: 200, body: '<!doctype html>', headers: { 'content-type': 'text/html' } }))).toEqual([]);
    expect(checker.problems(response({ method: 'PUT', status: 200 })).join()).toMatch(/PUT \/api\/jobs\/\{id\} is not in the document/);
    expect(checker.problems(response({ path: '/api/secret', status: 404, body: { error: { code: 'NOT_FOUND', message: 'No such route' } } }))).toEqual([]);
    // A method the path does not take: the router's 405, which names the methods it does take.
    const wrongMethod = response({ path: '/api/uploads/.', status: 405, body: 'Method Not Allowed', headers: { allow: 'POST' } });
    expect(checker.problems(wrongMethod)).toEqual([]);
    wrongMethod.headers.delete('allow');
    expect(checker.problems(wrongMethod).join()).toMatch(/GET \/api\/uploads is not in the document/);
  });

  it('checks the events of an event stream', () => {
    const path = `/api/jobs/${JOB_ID}/events?access_token=t`;
    expect(checker.eventProblems(path, [{ event: 'status', id: '1733097600000', data: job }])).toEqual([]);
    expect(checker.eventProblems(path, [{ event: 'finished', id: '1', data: job }]).join()).toMatch(/event 0 \(finished\)\/event must be equal/);
    expect(checker.eventProblems(path, [{ event: 'progress', id: '2', data: { ...job, extra: 1 } }]).join()).toMatch(/additional properties: extra/);
  });
});
