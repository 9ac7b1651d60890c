/** The native client: createClient and its types, plus the pieces for callers that need less. */
export {
  createClient, DEFAULT_RETRIES,
  type Client, type ClientOptions, type ProduceOptions, type ProduceResult, type TopicDescription, type PartitionDescription,
} from './client.ts';
export { DEFAULT_FETCH_MAX_BYTES, type FetchOptions, type FetchResult } from './fetch.ts';
export { ConnectionError, RequestTimeoutError } from './errors.ts';
export { Connection, type ConnectionOptions, type RequestSpec } from './connection.ts';
export { ConnectionPool } from './pool.ts';
export { parseEndpoints, resolveBootstrap } from './bootstrap.ts';
export { isRetriable, backoffMs } from './retry.ts';
