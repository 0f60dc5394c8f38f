// The parts of mocha 12's internals rxpulsar test uses: its option loading,
// file collection, plugin loading and event serializer (mocha's own parallel
// mode is built on them). mocha ships no types for them.
declare module 'mocha/lib/cli/options.cjs' {
  /** Parse argv with `.mocharc.*`, `package.json`'s `mocha` key and `MOCHA_OPTIONS`, as mocha does. */
  export function loadOptions(argv?: string[]): Record<string, unknown> & { _: string[] };
}

declare module 'mocha/lib/cli/run.cjs' {
  export function normalizeRunOptions(argv: Record<string, unknown>): void;
  export function validateRunOptions(argv: Record<string, unknown>): void;
  export function prepareRunOptions(
    argv: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
}

declare module 'mocha/lib/cli/collect-files.cjs' {
  interface CollectParams {
    allowEmpty?: boolean;
    ignore: string[];
    extension: string[];
    file: string[];
    recursive: boolean;
    sort: boolean;
    spec: string[];
  }
  /** Exits the process (code 1) with mocha's message when nothing matches. */
  function collectFiles(params: CollectParams): {
    files: string[];
    unmatchedFiles: { pattern: string; absolutePath: string }[];
  };
  export = collectFiles;
}

declare module 'mocha/lib/cli/run-helpers.cjs' {
  export function handleRequires(
    requires?: string[],
    options?: { ignoredPlugins?: string[] },
  ): Promise<Record<string, unknown>>;
  export function validateLegacyPlugin(
    opts: Record<string, unknown>,
    pluginType: string,
    map?: Record<string, unknown>,
  ): void;
}

declare module 'mocha/lib/nodejs/serializer.js' {
  export class SerializableEvent {
    static create(eventName: string, value?: unknown, error?: unknown): SerializableEvent;
    static deserialize(obj: { data?: unknown; error?: unknown }): {
      data?: unknown;
      error?: unknown;
    };
    serialize(): { eventName: string; data?: unknown; error?: unknown };
  }
}

declare module 'mocha/lib/nodejs/esm-utils.cjs' {
  /** Load a spec file as mocha does (require, else import). */
  export function requireOrImport(file: string): Promise<unknown>;
}

declare module 'mocha/lib/cli/cli.js' {
  /** mocha's command line (`--help` prints its options). */
  export function main(argv?: string[]): void;
}
