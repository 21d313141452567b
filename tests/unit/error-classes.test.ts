import { describe, expect, it } from 'vitest';
import { errorClassOf, externalApiFailed, paymentFailed, unauthenticated, unavailable, validationFailed } from '../../core/errors.js';

describe('errorClassOf', () => {
  it('takes the class of domain errors', () => {
    expect(errorClassOf(validationFailed('x'))).toBe('validation');
    expect(errorClassOf(unauthenticated())).toBe('authentication');
    expect(errorClassOf(unavailable('database'))).toBe('database');
    expect(errorClassOf(externalApiFailed('runninghub'))).toBe('external_api');
    expect(errorClassOf(paymentFailed('wechat'))).toBe('payment');
  });

  it('recognises driver errors by shape, through wrappers and causes', () => {
    const pg = Object.assign(new Error('relation does not exist'), { code: '42P01', severity: 'ERROR' });
    expect(errorClassOf(pg)).toBe('database');
    expect(errorClassOf(Object.assign(new Error('x'), { name: 'DBError', nativeError: pg }))).toBe('database');
    expect(errorClassOf(Object.assign(new Error('pool'), { name: 'KnexTimeoutError' }))).toBe('database');
    expect(errorClassOf(Object.assign(new Error('redis'), { name: 'MaxRetriesPerRequestError' }))).toBe('external_api');
    expect(errorClassOf(new Error('wrapped', { cause: pg }))).toBe('database');
    expect(errorClassOf(Object.assign(new Error('bad input'), { errorClass: 'validation' }))).toBe('validation');
  });

  it('calls everything else internal', () => {
    expect(errorClassOf(new TypeError('undefined is not a function'))).toBe('internal');
    expect(errorClassOf('a string')).toBe('internal');
    expect(errorClassOf(undefined)).toBe('internal');
  });
});
