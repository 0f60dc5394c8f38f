import { expect } from 'chai';
import { ActorExitedError } from '../../lib/errors.js';
import { createLogger, send, spawn } from '../../lib/index.js';
import { Hub } from '../../lib/transport/Hub.js';
import { HubClient } from '../../lib/transport/HubClient.js';
import type { Envelope } from '../../lib/transport/protocol.js';
import { arbiterPerSuite } from '../support/arbiterPerSuite.js';
import { waitFor } from '../support/waiting.js';

describe('HubClient', () => {
  describe('connect()', () => {
    it('should fail with ActorExitedError when no hub listens at the path', async () => {
      const client = new HubClient('a1', '/nonexistent/rxpulsar-spec/hub.sock');
      const failure = await client.connect().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).to.be.instanceOf(ActorExitedError);
    });

    it('should reach the hub with a plain socket: its frames arrive, and closed$ completes when the hub goes', async () => {
      const hub = new Hub({
        maxConnections: 2,
        maxMessageSize: 1024,
        handshakeTimeout: 5000,
        logger: createLogger('hubclient-spec'),
      });
      const path = await hub.start();
      const batches: Envelope[][] = [];
      hub.onIncoming(({ envelopes }) => batches.push(envelopes));
      try {
        const client = new HubClient('a1', path, 1024);
        await client.connect();
        const closed = new Promise<void>((resolve) =>
          client.closed$.subscribe({ complete: resolve }),
        );
        client.send({ id: 0, from: 'a1', to: 'arbiter', cmd: 'notify', args: [], ack: false });
        await waitFor(() => batches.length > 0, 10_000, 'the frame at the hub');
        expect(batches[0]?.[0]).to.include({ from: 'a1', to: 'arbiter', cmd: 'notify' });
        await hub.stop();
        await closed;
      } finally {
        await hub.stop();
      }
    });
  });

  describe('in a process actor', () => {
    arbiterPerSuite();

    it('should load neither node-ipc nor TLS for a Unix-socket hub (start-up cost)', async () => {
      const proxy = await spawn({ name: 'lean', concurrency: 'process' });
      try {
        const loaded = (await send(proxy, 'run', () => {
          // Sent by source: the function has no module scope of its own.
          const { createRequire } = process.getBuiltinModule('node:module');
          const cache = Object.keys(createRequire('/').cache);
          return {
            nodeIpc: cache.some((file) => file.includes('node-ipc')),
            tls: (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes(
              'NativeModule tls',
            ),
          };
        })) as { nodeIpc: boolean; tls: boolean };
        expect(loaded).to.deep.equal({ nodeIpc: false, tls: false });
      } finally {
        await proxy.stop();
      }
    });
  });
});
