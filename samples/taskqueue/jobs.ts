// The jobs of the taskqueue sample: each is a function of (ctx, ...args).
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobContext, Jobs } from '../../lib/index.js';

export const jobs: Jobs = {
  // Count the words of a text, slowly, reporting progress; a revoke or a
  // timeout aborts ctx.signal.
  wordcount: {
    async run(ctx: JobContext, text: string) {
      const words = text.split(/\s+/).filter(Boolean);
      for (let i = 0; i < words.length; i += 100) {
        ctx.progress(Math.round((100 * i) / words.length));
        await sleep(10, undefined, { signal: ctx.signal });
      }
      return { words: words.length, by: process.pid };
    },
    timeout: '30 seconds',
    retries: 2,
  },
  // A periodic job: queued once a minute, however many arbiters serve the queue.
  heartbeat: {
    every: '1 minute',
    run: (ctx: JobContext) => {
      ctx.actor.logger.info(`heartbeat ${ctx.task.id}`);
      return Date.now();
    },
  },
};
