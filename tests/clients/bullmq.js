// BullMQ against a running server: jobs, retries with backoff, delays, priorities, a flow,
// and waitUntilFinished through QueueEvents (streams read with XREAD BLOCK).
//
//     node tests/clients/bullmq.js PORT   (with bullmq installed: npm install bullmq@5)
const { Queue, Worker, QueueEvents, FlowProducer } = require('bullmq');
const port = parseInt(process.argv[2]);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
(async () => {
  const name = 'q' + Date.now();
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  await events.waitUntilReady();
  let done = 0, failed = 0;
  const worker = new Worker(name, async job => {
    if (job.data.fail) throw new Error('boom');
    return job.data.n * 2;
  }, { connection, concurrency: 4 });
  worker.on('completed', () => done++);
  worker.on('failed', () => failed++);
  for (let i = 0; i < 50; i++) await queue.add('j', { n: i });
  await queue.add('bad', { fail: true }, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
  await queue.add('delayed', { n: 100 }, { delay: 300 });
  await queue.add('prio', { n: 7 }, { priority: 3 });
  const job = await queue.add('waited', { n: 21 });
  const res = await job.waitUntilFinished(events, 10000);
  if (res !== 42) throw new Error('bad result ' + res);
  const flow = new FlowProducer({ connection });
  await flow.add({ name: 'parent', queueName: name, data: { n: 1 }, children: [{ name: 'child', data: { n: 2 }, queueName: name }] });
  const t0 = Date.now();
  while ((done < 55 || failed < 2) && Date.now() - t0 < 15000) await new Promise(r => setTimeout(r, 100));
  const counts = await queue.getJobCounts();
  console.log('bullmq: done', done, 'failed', failed, JSON.stringify(counts));
  await worker.close(); await events.close(); await queue.close(); await flow.close();
  process.exit(done >= 55 && failed >= 2 ? 0 : 1);
})().catch(e => { console.error('ERR', e); process.exit(2); });
