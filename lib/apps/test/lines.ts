/**
 * Newline-delimited text over a stream socket: the framing between a
 * prestarted spec runner and its worker (each message is one line of
 * JSON, which never holds a raw newline).
 * @module
 */

/**
 * A `data` listener (of a socket with a string encoding) that calls
 * `onLine` with each whole line, in order.
 *
 * @param onLine - called with each line, without its newline.
 * @returns the listener.
 * @example
 * ```ts
 * socket.setEncoding('utf8');
 * socket.on('data', lines((line) => handle(JSON.parse(line))));
 * ```
 */
export function lines(onLine: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      const line = rest + chunk.slice(start, end);
      rest = '';
      start = end + 1;
      if (line !== '') onLine(line);
    }
    rest += chunk.slice(start);
  };
}
