/**
 * The arbiter's hold on the BullMQ locks of its workers' jobs. Each worker
 * actor's BullMQ Worker takes jobs under tokens `<consumer id>:<n>` and
 * never renews them itself (its loop may be blocked by CPU work); the
 * arbiter renews the locks of every job whose token names one of its live
 * consumers ({@link renewLocks}), and finds those of a consumer that died
 * ({@link ownedJobs}) to put them back at once. Two small Lua scripts over
 * BullMQ's keys (`<prefix>:<queue>:active`, `…:stalled`, `…:<id>:lock`,
 * `…:<id>` field `stc`, its stalled counter, which counts worker deaths too).
 * @module
 */
import type { Redis } from 'ioredis';

/** Renew the locks of the active jobs held by the given consumers. */
const RENEW = `
local owners = {}
for i = 3, #ARGV do owners[ARGV[i]] = true end
local n = 0
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local lockKey = ARGV[1] .. id .. ':lock'
  local token = redis.call('GET', lockKey)
  if token then
    local owner = string.match(token, '^(.*):%d+$')
    if owner and owners[owner] then
      redis.call('SET', lockKey, token, 'PX', ARGV[2])
      redis.call('SREM', KEYS[2], id)
      n = n + 1
    end
  end
end
return n`;

/** The active jobs of one consumer: id, token, stalled counter (incremented if ARGV[3] is 1). */
const OWNED = `
local out = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local token = redis.call('GET', ARGV[1] .. id .. ':lock')
  if token and string.match(token, '^(.*):%d+$') == ARGV[2] then
    local stc
    if ARGV[3] == '1' then
      stc = redis.call('HINCRBY', ARGV[1] .. id, 'stc', 1)
    else
      stc = tonumber(redis.call('HGET', ARGV[1] .. id, 'stc') or '0')
    end
    table.insert(out, id)
    table.insert(out, token)
    table.insert(out, stc)
  end
end
return out`;

/** A job a consumer held: its id, lock token and deaths so far. */
export interface OwnedJob {
  id: string;
  token: string;
  deaths: number;
}

/**
 * @param redis - a connection.
 * @param base - the queue's key prefix, `rxp:<queue>:`.
 * @param lease - ms the locks last from now.
 * @param consumers - the BullMQ Worker ids of the live workers.
 * @returns how many locks were renewed.
 * @example
 * ```ts
 * await renewLocks(redis, 'rxp:jobs:', 30_000, ['8c1f…']);
 * ```
 */
export async function renewLocks(
  redis: Redis,
  base: string,
  lease: number,
  consumers: readonly string[],
): Promise<number> {
  if (consumers.length === 0) return 0;
  const keys = [`${base}active`, `${base}stalled`];
  return (await redis.eval(RENEW, 2, ...keys, base, lease, ...consumers)) as number;
}

/**
 * @param redis - a connection.
 * @param base - the queue's key prefix, `rxp:<queue>:`.
 * @param consumer - the BullMQ Worker id of a worker that exited.
 * @param death - count a death on each job (a crash; not a graceful stop).
 * @returns the jobs it held, with their lock tokens.
 * @example
 * ```ts
 * for (const job of await ownedJobs(redis, 'rxp:jobs:', '8c1f…', true)) …
 * ```
 */
export async function ownedJobs(
  redis: Redis,
  base: string,
  consumer: string,
  death: boolean,
): Promise<OwnedJob[]> {
  const flat = (await redis.eval(OWNED, 1, `${base}active`, base, consumer, death ? '1' : '0')) as (
    string | number
  )[];
  const jobs: OwnedJob[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    jobs.push({ id: String(flat[i]), token: String(flat[i + 1]), deaths: Number(flat[i + 2]) });
  }
  return jobs;
}
