import { describe, expect, it } from 'vitest';
import {
  errorClassOf,
  externalApiFailed,
  infrastructureOutageOf,
  paymentFailed,
  unauthenticated,
  unavailable,
  validationFailed,
} from '../../core/errors.js';

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

/** Errors as the drivers make them when a server is away (shapes copied from pg, knex, ioredis and Node). */
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('outages of Postgres and Redis', () => {
  it.each([
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a reset connection', socketError('ECONNRESET')],
    ['a connection terminated under a query', new Error('Connection terminated unexpectedly')],
    ['a client whose connection failed', new Error('Client has encountered a connection error and is not queryable')],
    ['an admin shutdown (a restart)', pgError('57P01', 'terminating connection due to administrator command')],
    ['a server still starting', pgError('57P03', 'the database system is starting up')],
    ['a connection exception', pgError('08006', 'connection failure')],
    ['too many connections', pgError('53300', 'sorry, too many clients already')],
    ['a knex pool that cannot get a connection', Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' })],
    ['a wrapped refusal', new Error('claim failed', { cause: socketError('ECONNREFUSED') })],
  ])('classes %s as the database being unavailable, never internal', (_name, error) => {
    expect(infrastructureOutageOf(error)).toBe('database');
    expect(errorClassOf(error)).toBe('database');
  });

  it.each([
    ['a closed connection', new Error('Connection is closed.')],
    ['an offline fail-fast connection', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['retries per request exhausted', Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' })],
    ['a replica still loading', Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' })],
    ['the queue said to be unavailable', unavailable('queue')],
  ])('classes %s as Redis being unavailable', (_name, error) => {
    expect(infrastructureOutageOf(error)).toBe('redis');
    expect(errorClassOf(error)).toBe('external_api');
  });

  it('does not take failures of the query itself for an outage', () => {
    expect(infrastructureOutageOf(Object.assign(new Error('relation does not exist'), { code: '42P01', severity: 'ERROR' }))).toBeUndefined();
    expect(infrastructureOutageOf(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014', severity: 'ERROR' }))).toBeUndefined();
    expect(infrastructureOutageOf(Object.assign(new Error('ERR wrong number of arguments'), { name: 'ReplyError' }))).toBeUndefined();
    expect(infrastructureOutageOf(validationFailed('x'))).toBeUndefined();
    expect(infrastructureOutageOf(new TypeError('undefined is not a function'))).toBeUndefined();
  });
});
