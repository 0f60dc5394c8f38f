// A client for the echo sample: sends lines, checks that each comes back.
//
//   node dist/samples/echo/client.js [host:port] [count]
import { connect } from 'node:net';

const [host = '127.0.0.1', port = '8070'] = (process.argv[2] ?? '127.0.0.1:8070').split(':');
const count = Number(process.argv[3] ?? 100);
const socket = connect(Number(port), host);
let received = '';
const expected = Array.from({ length: count }, (_, i) => `line ${i}\n`).join('');
socket.setEncoding('utf8');
socket.on('data', (chunk: string) => {
  received += chunk;
  if (received.length >= expected.length) {
    socket.end();
    const ok = received === expected;
    console.log(ok ? `${count} echoes checked` : 'echoes differ');
    process.exitCode = ok ? 0 : 1;
  }
});
socket.on('connect', () => socket.write(expected));
