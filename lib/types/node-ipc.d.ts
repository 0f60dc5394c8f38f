// The part of node-ipc 12's API rxpulsar uses (the package ships no types).
declare module 'node-ipc' {
  import type { Socket } from 'node:net';

  export interface IPCConfig {
    id: string;
    socketRoot: string;
    appspace: string;
    silent: boolean;
    logInColor: boolean;
    maxConnections: number;
    retry: number;
    maxRetries: number | boolean;
    stopRetrying: boolean;
    unlink: boolean;
    readableAll: boolean;
    writableAll: boolean;
    delimiter: string;
    encoding: BufferEncoding;
  }

  type Handler = (...args: never[]) => void;

  export interface IPCServer {
    server: import('node:net').Server | false;
    sockets: Socket[];
    on(event: string, handler: Handler): this;
    off(event: string, handler: Handler | '*'): this;
    emit(socket: Socket, type: string, data: unknown): void;
    start(): void;
    stop(): void;
  }

  export interface IPCClient {
    socket: Socket | false;
    on(event: string, handler: Handler): this;
    off(event: string, handler: Handler | '*'): this;
    emit(type: string, data: unknown): void;
  }

  export class IPCModule {
    config: IPCConfig;
    of: Record<string, IPCClient | undefined>;
    server: IPCServer | false;
    serve(path: string, callback?: () => void): void;
    connectTo(id: string, path: string, callback?: () => void): void;
    disconnect(id: string): void;
  }

  const singleton: IPCModule;
  export default singleton;
}
