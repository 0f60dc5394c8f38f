/**
 * rxpulsar: event-driven, actor-based concurrency for Node.js on RxJS.
 *
 * The package entry: an explicit, grouped list of the public names of
 * DESIGN.md. Lower layers first.
 * @module
 */
import { installExitPolicy } from './cli/exitProcess.js';

// `node app.js` as `rxpulsar app.js`: the library only asks for an exit (the
// end of a stop on a signal, `--help`, a bad configuration); the command
// line's policy ends the process.
installExitPolicy();

// Errors: one registry of stable codes.
export {
  RxPulsarError,
  AlreadyCalledError,
  NotCalledError,
  CancelledError,
  TimeoutError,
  HandshakeTimeoutError,
  ImproperlyConfiguredError,
  LockedError,
  InvalidStateError,
  CommandNotFoundError,
  ActorNotFoundError,
  ActorExitedError,
  EncodingError,
  ProtocolError,
  MessageTooLargeError,
  BackpressureError,
  RestartLimitError,
  RemoteError,
  ConfigError,
  UnknownJobError,
  TaskOptionError,
  TaskTimeoutError,
  TaskRevokedError,
  WorkerLostError,
  TaskBackendError,
  ListenError,
  errorRegistry,
} from './errors.js';
export type { RxPulsarErrorOptions, ConfigProblem, ConfigSource } from './errors.js';

// Logging.
export { createLogger, configureLogging, rootLogger } from './log/createLogger.js';
export type { LogLevel, LoggingOptions } from './log/createLogger.js';
export { captureLogs } from './log/captureLogs.js';
export type { LogCapture, LogRecord } from './log/captureLogs.js';

// Primitives: Deferred, MultiDeferred and helpers.
export { Deferred } from './async/Deferred.js';
export { MultiDeferred } from './async/MultiDeferred.js';
export type {
  MultiDeferredOptions,
  MultiDeferredResult,
  MultiDeferredType,
} from './async/MultiDeferred.js';
export { makeAsync } from './async/makeAsync.js';
export { maybeAsync } from './async/maybeAsync.js';
export { safeAsync } from './async/safeAsync.js';
export { isAsync } from './async/isAsync.js';
export { reportUnhandledErrors } from './async/reportUnhandledErrors.js';

// Codec: any value an actor sends ⇄ a JSON-safe tree.
export { encode } from './codec/encode.js';
export type { EncodeOptions } from './codec/encode.js';
export { decode } from './codec/decode.js';
export type { DecodeOptions } from './codec/decode.js';
export { serializeError } from './codec/serializeError.js';
export { deserializeError } from './codec/deserializeError.js';
export type { SerializedError } from './codec/SerializedError.js';

// Event loop.
export { IOLoop } from './eventloop/IOLoop.js';
export type { IOLoopOptions } from './eventloop/IOLoop.js';
export { PeriodicCallback } from './eventloop/PeriodicCallback.js';
export type { PeriodicCallbackOptions } from './eventloop/PeriodicCallback.js';
export type { EventHandler } from './eventloop/HandlerRegistry.js';

// Actors.
export { arbiter, spawn, send, command } from './arbiter/api.js';
export { getActor } from './actor/current.js';
export { Actor } from './actor/Actor.js';
export type { ActorOptions } from './actor/Actor.js';
export { Arbiter } from './arbiter/Arbiter.js';
export type { ArbiterOptions } from './arbiter/Arbiter.js';
export { ActorProxy, ActorProxyDeferred } from './actor/ActorProxy.js';
export { ActorMessage } from './actor/ActorMessage.js';
export { ActorEvents } from './actor/ActorEvents.js';
export type { InfoEvent, ParamsEvent } from './actor/ActorEvents.js';
export { ArbiterEvents } from './actor/ArbiterEvents.js';
export type { ActorExit, Escalation } from './actor/ArbiterEvents.js';
export type { Request, Reply, Envelope } from './transport/protocol.js';

// Monitors: pools.
export { Monitor } from './monitor/Monitor.js';
export { MonitorEvents } from './monitor/MonitorEvents.js';
export type { ResizeEvent } from './monitor/MonitorEvents.js';
export type { Supervisor } from './monitor/Supervisor.js';
export type { DurationKey, MonitorParams, MonitorSettings } from './monitor/MonitorParams.js';
export { MAX_POOL_WORKERS, MAX_SPAWNING } from './monitor/MonitorParams.js';
export { RestartPolicy, DEFAULT_RESTART } from './monitor/RestartPolicy.js';
export type { RestartSettings, RestartLimitAction, BreakerState } from './monitor/RestartPolicy.js';
export { LoadPolicy } from './monitor/LoadPolicy.js';
export type { LoadSettings, LoadDecision } from './monitor/LoadPolicy.js';
export { DEFAULT_TIMEOUTS } from './actor/types.js';
export type {
  ActorState,
  Concurrency,
  CommandHandler,
  CommandOptions,
  ActorHooks,
  ActorTimeouts,
  SpawnParams,
  Duration,
  TimeoutParams,
  Target,
} from './actor/types.js';

// Operating: metrics (the control CLI is under lib/cli/control/).
export { metricsRegistry } from './metrics/metricsRegistry.js';

// Configuration.
export { loadConfig } from './config/loadConfig.js';
export type { LoadConfigOptions, LoadedConfig } from './config/loadConfig.js';
export { globalSettings, appSettings, serverSettings } from './config/settings.js';
export type { Setting, Schema, SettingValue, ConfigValues } from './config/Setting.js';
export type {
  GlobalConfig,
  AppConfig,
  ServerConfig,
  AppSchema,
  ApplicationConfig,
  ServerAppConfig,
} from './config/settings.js';
export { helpText } from './config/helpText.js';
export type { HelpTextOptions } from './config/helpText.js';
export { parseDuration } from './util/parseDuration.js';
export { writePidFile } from './config/pidFile.js';

// Application layer.
export { Application } from './application/Application.js';
export type { ApplicationParams } from './application/Application.js';
export type { ValueProblem } from './application/checkAppConfig.js';
export { getApplication } from './application/registry.js';
export { MultiApp } from './application/MultiApp.js';

// Apps.
export { ServerApp } from './apps/ServerApp.js';
export { HttpServer } from './apps/http/HttpServer.js';
export type { HttpServerParams } from './apps/http/HttpServer.js';
export { SocketServer } from './apps/socket/SocketServer.js';
export type { SocketServerParams, ProtocolFactory } from './apps/socket/SocketServer.js';
export { parseBind } from './apps/parseBind.js';
export type { BindAddress } from './apps/parseBind.js';

// Apps: the test suite (`rxpulsar test`): mocha spec files on worker actors.
export { TestSuite } from './apps/test/TestSuite.js';
export type { TestSuiteParams, TestEvent, TestResult } from './apps/test/TestSuite.js';

// Apps: JSON-RPC 2.0.
export { JsonRpc } from './apps/rpc/JsonRpc.js';
export type { JsonRpcOptions } from './apps/rpc/JsonRpc.js';
export { JsonRpcError } from './apps/rpc/JsonRpcError.js';
export { rpcProxy } from './apps/rpc/JsonRpcProxy.js';
export type {
  RemoteMethods,
  RpcBatchCall,
  RpcProxy,
  RpcProxyControls,
  RpcProxyOptions,
} from './apps/rpc/JsonRpcProxy.js';
export type {
  JsonRpcErrorObject,
  JsonRpcFailure,
  JsonRpcId,
  JsonRpcMethod,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
} from './apps/rpc/protocol.js';

// Apps: the task queue.
export { TaskQueue } from './apps/tasks/TaskQueue.js';
export type { TaskQueueParams } from './apps/tasks/TaskQueue.js';
export { TaskProducer, tasks } from './apps/tasks/TaskProducer.js';
export type { TaskProducerApi } from './apps/tasks/TaskProducer.js';
export { taskSettings } from './apps/tasks/taskSettings.js';
export type {
  Backoff,
  JobContext,
  JobDefinition,
  JobFunction,
  Jobs,
  QueueTaskOptions,
  Task,
  TaskState,
} from './apps/tasks/Task.js';
export { taskClient } from './apps/tasks/taskClient.js';
export type { TaskClient } from './apps/tasks/taskClient.js';
