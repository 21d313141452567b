import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import busboy from 'busboy';
import { FaultPlan, type FakeEndpoint, type FaultRule } from './runninghub-fake-faults.js';
import { FakeOutputFiles } from './runninghub-fake-files.js';
import { FakeTaskBook, type FakeOutcome, type FakeTask } from './runninghub-fake-tasks.js';
import { postTaskEnd, type WebhookDelivery } from './runninghub-fake-webhooks.js';

export type { FakeOutcome, FakeTask, FaultRule };

export interface RunningHubFakeOptions {
  apiKey: string;
  /** Tasks of the key QUEUED or RUNNING at once; one more is refused with 421. @defaultValue 1 (a consumer key) */
  concurrencyLimit?: number;
  /** Known workflow / AI-app ids; any id when absent. Unknown ones answer 380 / 901. */
  workflows?: string[];
  webapps?: string[];
  /** Tasks move on by themselves after these delays; without it they move only on `advance`. */
  schedule?: { queuedMs: number; runningMs: number };
  /** How a running task ends when the test does not say; success by default. */
  outcomeOf?: (task: FakeTask) => FakeOutcome;
  /** How outputs of an unfinished task are answered: codes 813/804, or the other doc version's code 0 and null data. */
  unfinishedOutputs?: 'codes' | 'null-data';
  /** `taskId` in create answers as a bare JSON number (the docs' examples), a string, or each in turn. @defaultValue 'alternate' */
  bareTaskIds?: 'always' | 'never' | 'alternate';
  /** Copies of each TASK_END webhook; `early` also sends one when the task starts running. */
  webhook?: { copies?: number; early?: boolean; attempts?: number; timeoutMs?: number };
  outputsPerTask?: number;
  outputTtlMs?: number;
  /** @defaultValue 30 MiB, as RunningHub (809 above it). */
  maxUploadBytes?: number;
}

export interface RunningHubFakeStats {
  tasksCreated: number;
  /** Most tasks QUEUED or RUNNING at once. */
  maxConcurrencySeen: number;
  active: number;
  cancels: string[];
  uploads: string[];
  requests: Partial<Record<FakeEndpoint, number>>;
  webhooks: WebhookDelivery[];
}

export interface RunningHubFake {
  readonly url: string;
  advance(taskId: string, outcome?: FakeOutcome): FakeTask;
  task(taskId: string): FakeTask | undefined;
  tasks(): FakeTask[];
  fault(rule: FaultRule): void;
  clearFaults(): void;
  /** Stops listening and drops every connection: calls get ECONNREFUSED until `comeUp`. Tasks are kept. */
  goDown(): Promise<void>;
  comeUp(): Promise<void>;
  expireOutputs(): void;
  /** Sends a TASK_END for the task now, whatever its state (an early or repeated notice). */
  sendWebhook(taskId: string): Promise<WebhookDelivery>;
  /** Resolves when every webhook delivery started so far has finished. */
  webhooksSettled(): Promise<void>;
  stats(): RunningHubFakeStats;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  contentType: string;
  body: string | Buffer;
}

type Json = Record<string, unknown>;

const ROUTES: Record<string, FakeEndpoint> = {
  'POST /task/openapi/upload': 'upload',
  'POST /task/openapi/create': 'create',
  'POST /task/openapi/ai-app/run': 'ai-app',
  'POST /task/openapi/status': 'status',
  'POST /task/openapi/outputs': 'outputs',
  'POST /task/openapi/cancel': 'cancel',
  'POST /uc/openapi/accountStatus': 'account',
};

const envelope = (code: number, msg: string, data: unknown = null): Answer => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ code, msg, data }) });
const ok = (data: unknown) => envelope(0, 'success', data);
const httpError = (status: number, text: string): Answer => ({ status, contentType: 'text/html', body: `<html><body><h1>${status} ${text}</h1></body></html>` });
const ID = /^[0-9]{19}$/;
const FAULT_MESSAGES: Record<number, string> = { 415: 'TASK_INSTANCE_MAXED', 421: 'TASK_QUEUE_MAXED', 500: 'SERVER_ERROR', 808: 'APIKEY_UPLOAD_FAILED' };
const isNodeInfo = (item: unknown) => {
  const node = item as Record<string, unknown> | null;
  return !!node && typeof node.nodeId === 'string' && typeof node.fieldName === 'string' && typeof node.fieldValue === 'string';
};

/**
 * RunningHub API v1 on loopback, as `docs/protocols/runninghub.md` describes it: every answer an HTTP 200
 * envelope with the real codes, the key checked on every call (`apikey` on the account call), ids as 19-digit
 * strings, tasks per key with a concurrency limit, signed expiring output URLs, TASK_END webhooks. Stricter than
 * the real service in one way: ids and node values must arrive as JSON strings.
 */
export async function startRunningHubFake(options: RunningHubFakeOptions): Promise<RunningHubFake> {
  const limit = options.concurrencyLimit ?? 1;
  const faults = new FaultPlan();
  const files = new FakeOutputFiles(options.outputTtlMs ?? 24 * 3600_000);
  const uploads = new Set<string>();
  const requests: Partial<Record<FakeEndpoint, number>> = {};
  const webhooks: WebhookDelivery[] = [];
  const pendingWebhooks = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  let bareToggle = false;
  let baseUrl = '';

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const outcomeFor = (task: FakeTask): FakeOutcome => {
    // The sites share no files: an image uploaded to the other region makes LoadImage fail, as it would there.
    const missing = task.nodeInfoList.find((node) => node.fieldName === 'image' && node.fieldValue.startsWith('api/') && !uploads.has(node.fieldValue));
    if (missing) return { status: 'FAILED', failedReason: { node_name: 'LoadImage', node_id: missing.nodeId, exception_type: 'FileNotFoundError', exception_message: `Invalid image file: ${missing.fieldValue}` } };
    return options.outcomeOf?.(task) ?? { status: 'SUCCESS' };
  };

  const book = new FakeTaskBook((task) => {
    if (options.schedule && task.status === 'RUNNING') later(options.schedule.runningMs, () => book.advance(task.taskId, outcomeFor(task)));
    const finished = task.status === 'SUCCESS' || task.status === 'FAILED';
    if (!task.webhookUrl || !(finished || options.webhook?.early)) return;
    const copies = finished ? (options.webhook?.copies ?? 1) : 1;
    for (let copy = 0; copy < copies; copy += 1) void deliver(task);
  });

  function outputsAnswer(task: FakeTask): Answer {
    switch (task.status) {
      case 'QUEUED':
        return options.unfinishedOutputs === 'null-data' ? envelope(0, 'APIKEY_TASK_IS_QUEUED') : envelope(813, 'APIKEY_TASK_IS_QUEUED');
      case 'RUNNING':
        return options.unfinishedOutputs === 'null-data' ? envelope(0, 'APIKEY_TASK_IS_RUNNING') : envelope(804, 'APIKEY_TASK_IS_RUNNING');
      case 'FAILED':
        return envelope(805, 'APIKEY_TASK_STATUS_ERROR', { failedReason: task.failedReason });
      case 'SUCCESS':
        return ok(
          Array.from({ length: options.outputsPerTask ?? 1 }, (_, index) => ({
            fileUrl: files.url(baseUrl, task.taskId, index),
            fileType: 'png',
            nodeId: String(9 + index),
            taskCostTime: '12',
            consumeCoins: '25',
            consumeMoney: '0.05',
            thirdPartyConsumeMoney: null,
          })),
        );
    }
  }

  function deliver(task: FakeTask): Promise<WebhookDelivery> {
    const eventData = String(outputsAnswer(task).body);
    const delivery = postTaskEnd(task.webhookUrl!, task.taskId, eventData, { attempts: options.webhook?.attempts ?? 3, timeoutMs: options.webhook?.timeoutMs ?? 3_000 });
    const tracked = delivery.then((result) => void webhooks.push(result));
    pendingWebhooks.add(tracked);
    void tracked.finally(() => pendingWebhooks.delete(tracked));
    return delivery;
  }

  function createTask(endpoint: 'create' | 'ai-app', body: Json): Answer {
    if (body.apiKey !== options.apiKey) return envelope(802, 'APIKEY_UNAUTHORIZED');
    const idField = endpoint === 'create' ? 'workflowId' : 'webappId';
    const targetId = body[idField];
    if (typeof targetId !== 'string' || !ID.test(targetId)) return envelope(301, 'PARAMS_INVALID');
    const known = endpoint === 'create' ? options.workflows : options.webapps;
    if (known && !known.includes(targetId)) return endpoint === 'create' ? envelope(380, 'WORKFLOW_NOT_EXISTS') : envelope(901, 'WEBAPP_NOT_EXISTS');
    const nodeInfoList = body.nodeInfoList ?? (endpoint === 'create' ? [] : undefined);
    if (!Array.isArray(nodeInfoList)) return envelope(301, 'PARAMS_INVALID');
    if (!nodeInfoList.every(isNodeInfo)) return envelope(803, 'APIKEY_INVALID_NODE_INFO');
    if (body.instanceType !== undefined && body.instanceType !== 'default' && body.instanceType !== 'plus') return envelope(301, 'PARAMS_INVALID');
    if (body.webhookUrl !== undefined && (typeof body.webhookUrl !== 'string' || !/^https?:\/\//.test(body.webhookUrl))) return envelope(301, 'PARAMS_INVALID');
    if (book.active() >= limit) return envelope(421, 'TASK_QUEUE_MAXED');
    const task = book.create({
      kind: endpoint === 'create' ? 'workflow' : 'ai-app',
      targetId,
      nodeInfoList: nodeInfoList as FakeTask['nodeInfoList'],
      instanceType: body.instanceType,
      webhookUrl: body.webhookUrl,
    });
    if (options.schedule) later(options.schedule.queuedMs, () => book.advance(task.taskId));
    const answer = ok({ netWssUrl: `wss://fake/ws/${task.taskId}`, taskId: task.taskId, clientId: createHash('md5').update(task.taskId).digest('hex'), taskStatus: 'QUEUED', promptTips: '{"result": true, "error": null, "outputs_to_execute": ["9"], "node_errors": {}}' });
    const bare = options.bareTaskIds === 'always' || (options.bareTaskIds !== 'never' && (bareToggle = !bareToggle));
    return bare ? { ...answer, body: String(answer.body).replace(`"taskId":"${task.taskId}"`, `"taskId":${task.taskId}`) } : answer;
  }

  function taskLookup(endpoint: 'status' | 'outputs' | 'cancel', body: Json): Answer {
    if (body.apiKey !== options.apiKey) return envelope(802, 'APIKEY_UNAUTHORIZED');
    if (typeof body.taskId !== 'string') return envelope(301, 'PARAMS_INVALID');
    const task = endpoint === 'cancel' ? book.cancel(body.taskId) : book.get(body.taskId);
    if (!task) return envelope(807, 'APIKEY_TASK_NOT_FOUND');
    if (endpoint === 'status') return ok(task.status);
    return endpoint === 'outputs' ? outputsAnswer(task) : ok(null);
  }

  function account(body: Json): Answer {
    if (body.apikey !== options.apiKey) return envelope(802, 'APIKEY_UNAUTHORIZED');
    return ok({ remainCoins: '1000', currentTaskCounts: String(book.active()), remainMoney: '12.50', currency: 'CNY', apiType: limit > 1 ? 'ENTERPRISE' : 'NORMAL' });
  }

  async function upload(req: IncomingMessage): Promise<Answer> {
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return httpError(415, 'Unsupported Media Type');
    const maxBytes = options.maxUploadBytes ?? 30 * 1024 * 1024;
    const fields: Record<string, string> = {};
    const file = await new Promise<{ data: Buffer; name: string; truncated: boolean } | undefined>((resolve, reject) => {
      let received: { data: Buffer; name: string; truncated: boolean } | undefined;
      const parser = busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: 1 } });
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (_name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => (received = { data: Buffer.concat(chunks), name: info.filename ?? '', truncated: (stream as { truncated?: boolean }).truncated === true }));
      });
      parser.on('close', () => resolve(received));
      parser.on('error', reject);
      req.pipe(parser);
    });
    if (fields.apiKey !== options.apiKey) return envelope(802, 'APIKEY_UNAUTHORIZED');
    if (!file || file.data.length === 0 || fields.fileType !== 'image') return envelope(301, 'PARAMS_INVALID');
    if (file.truncated) return envelope(809, 'APIKEY_FILE_SIZE_EXCEEDED');
    const extension = /\.(png|jpe?g|webp)$/i.exec(file.name)?.[1]?.toLowerCase() ?? 'png';
    const fileName = `api/${createHash('sha256').update(file.data).digest('hex')}.${extension}`;
    uploads.add(fileName);
    return ok({ fileName, fileType: 'image' });
  }

  async function readJson(req: IncomingMessage): Promise<Json | Answer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return httpError(415, 'Unsupported Media Type');
    try {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      return body && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : httpError(400, 'Bad Request');
    } catch {
      return httpError(400, 'Bad Request');
    }
  }

  async function answerFor(endpoint: FakeEndpoint, req: IncomingMessage, url: URL): Promise<Answer> {
    if (endpoint === 'files') return files.serve(url);
    if (endpoint === 'upload') return upload(req);
    const body = await readJson(req);
    if ('status' in body && 'contentType' in body) return body as Answer;
    switch (endpoint) {
      case 'create':
      case 'ai-app':
        return createTask(endpoint, body);
      case 'status':
      case 'outputs':
      case 'cancel':
        return taskLookup(endpoint, body);
      case 'account':
        return account(body);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const endpoint = ROUTES[`${req.method} ${url.pathname}`] ?? (req.method === 'GET' && url.pathname.startsWith('/files/') ? 'files' : undefined);
    if (!endpoint) return send(res, httpError(404, 'Not Found'));
    requests[endpoint] = (requests[endpoint] ?? 0) + 1;
    const fault = faults.take(endpoint);
    if (fault && 'reset' in fault) return void req.socket.destroy();
    if (fault && 'hang' in fault && fault.hang === 'before') return void held.add(res);
    if (fault && ('httpStatus' in fault || 'code' in fault)) {
      req.resume();
      return send(res, 'code' in fault ? envelope(fault.code, fault.msg ?? FAULT_MESSAGES[fault.code] ?? 'error') : httpError(fault.httpStatus, 'Error'));
    }
    const answer = await answerFor(endpoint, req, url);
    if (fault && 'hang' in fault) return void held.add(res);
    send(res, answer);
  }

  function send(res: ServerResponse, answer: Answer) {
    res.writeHead(answer.status, { 'content-type': answer.contentType });
    res.end(answer.body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, httpError(500, 'Internal Server Error'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
    held.clear();
  };
  const stopListening = () => new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    dropConnections();
  });

  return {
    url: baseUrl,
    advance: (taskId, outcome) => {
      const task = book.get(taskId);
      return book.advance(taskId, outcome ?? (task ? outcomeFor(task) : undefined));
    },
    task: (taskId) => book.get(taskId),
    tasks: () => book.all(),
    fault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    goDown: stopListening,
    comeUp: () => listen(port),
    expireOutputs: () => files.expireAll(),
    sendWebhook(taskId) {
      const task = book.get(taskId);
      if (!task?.webhookUrl) throw new Error(`task ${taskId} has no webhook URL`);
      return deliver(task);
    },
    async webhooksSettled() {
      while (pendingWebhooks.size > 0) await Promise.all([...pendingWebhooks]);
    },
    stats: () => ({
      tasksCreated: book.created,
      maxConcurrencySeen: book.maxConcurrency,
      active: book.active(),
      cancels: [...book.cancels],
      uploads: [...uploads],
      requests: { ...requests },
      webhooks: [...webhooks],
    }),
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await stopListening();
    },
  };
}
