/**
 * The length limit of a Unix socket's path, alone in its module: the test
 * command checks its runners' paths against it before loading the runtime
 * (`checkSocketPath` imports the errors, and with them `runtime.js`).
 * @module
 */

/**
 * The longest Unix socket path this platform takes, in bytes: the kernel
 * keeps it in `sun_path`, 108 bytes on Linux and 104 on macOS and the BSDs,
 * with its final NUL.
 * @example
 * ```ts
 * if (Buffer.byteLength(path) > MAX_SOCKET_PATH) console.error('too long');
 * ```
 */
export const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;
