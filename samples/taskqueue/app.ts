// A task queue behind an HTTP endpoint: the web workers queue tasks, the
// task workers run them.
//
//   npm run build && node bin/rxpulsar.js dist/samples/taskqueue/app.js -w 2 --web-workers 1
//   curl -X POST '127.0.0.1:8070/tasks?wait=1' -d 'the quick brown fox'
//     → {"id":"…","state":"SUCCESS","result":{"words":4,"by":12345},…}
//   curl -X POST 127.0.0.1:8070/tasks -d 'some text'    → the PENDING task
//   curl 127.0.0.1:8070/tasks/<id>                       → its state and result
//
// The queue is journaled under .rxpulsar/taskqueue: stop the arbiter (even
// with kill -9) and start it again, no queued task is lost. With
// --task-backend redis://127.0.0.1:6379/0 several arbiters share one queue.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpServer, MultiApp, TaskQueue, tasks } from '../../lib/index.js';

function reply(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(json);
}

/** POST /tasks (body: a text) queues a wordcount; GET /tasks/:id reads a task. */
export function handler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const producer = tasks('taskqueue'); // from this web worker, to the queue's monitor
  const failed = (err: unknown): void => reply(res, 400, { error: String(err) });
  if (req.method === 'POST' && url.pathname === '/tasks') {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      void (async () => {
        const task = await producer.queueTask('wordcount', [text]);
        reply(res, 202, url.searchParams.has('wait') ? await producer.waitForTask(task.id) : task);
      })().catch(failed);
    });
  } else if (req.method === 'GET' && url.pathname.startsWith('/tasks/')) {
    producer
      .getTask(url.pathname.slice('/tasks/'.length))
      .then(
        (task) => reply(res, task === undefined ? 404 : 200, task ?? { error: 'no such task' }),
        failed,
      );
  } else reply(res, 404, { error: 'POST /tasks or GET /tasks/:id' });
}

/** The queue (main app: `-w 4` sets its workers) and the web front (`--web-workers 2`). */
export class Site extends MultiApp {
  override *build(): Iterable<TaskQueue | HttpServer> {
    yield this.newApp(TaskQueue, '', {
      name: 'taskqueue',
      jobs: new URL('./jobs.js', import.meta.url),
      workers: 2,
      concurrentTasks: 4,
    });
    yield this.newApp(HttpServer, 'web', {
      name: 'taskqueue-web',
      callable: handler,
      workers: 1,
      bind: '127.0.0.1:8070',
    });
  }
}

export const site = new Site({ name: 'taskqueue', module: import.meta.url });
await site.start();
if (!site.apps.some((app) => app.isWorker)) {
  const web = site.apps[1] as HttpServer;
  console.log(`taskqueue: POST http://${web.address ?? '?'}/tasks (Ctrl-C to stop)`);
}
