import { Worker } from 'bullmq';

/**
 * The baseline's consumer: a bare BullMQ worker with a no-op processor, in a process of its own like ours.
 * Prints `{"ready":true}` once connected and `{"processed":n}` after SIGTERM.
 */
const { redisUrl, prefix, queue, concurrency } = JSON.parse(process.argv[2] ?? '{}') as {
  redisUrl: string;
  prefix: string;
  queue: string;
  concurrency: number;
};
let processed = 0;
const worker = new Worker(
  queue,
  () => {
    processed += 1;
    return Promise.resolve();
  },
  { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix, concurrency },
);
await worker.waitUntilReady();
console.log(JSON.stringify({ ready: true }));
process.once('SIGTERM', () => {
  void worker.close().then(() => {
    console.log(JSON.stringify({ processed }));
    process.exit(0);
  });
});
