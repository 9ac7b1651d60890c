/** Every Kafka API codec vonnegut implements, in one import for the router and the native client. */
export * from './api-versions.ts';
export * from './metadata.ts';
export * from './produce.ts';
export * from './fetch.ts';
export * from './list-offsets.ts';
export * from './create-topics.ts';
export * from './delete-topics.ts';
