/**
 * Kafka API keys and the versions vonnegut implements. `SUPPORTED` is the one source of truth: the
 * ApiVersions handler advertises it, the router checks against it, and header.ts derives the header
 * versions from its `flexibleFrom`. Every range starts at 0 because librdkafka quietly degrades
 * (no compression, broken `-G`) when old versions are missing (DESIGN.md, "What real clients need").
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  OffsetDelete: 47,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
  DescribeCluster: 60,
  DescribeTransactions: 65,
  ListTransactions: 66,
  DescribeTopicPartitions: 75,
  /** Internal, non-Kafka: chain replication between vonnegut nodes (codec owned by the chain module). */
  ChainReplicate: 1000,
} as const;

export type ApiKeyName = keyof typeof ApiKey;
export type ApiKeyValue = (typeof ApiKey)[ApiKeyName];

/** A supported version range; versions >= `flexibleFrom` use compact encodings and tagged fields (KIP-482). */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
  readonly flexibleFrom?: number;
}

/** What vonnegut implements for each Kafka API (ChainReplicate is internal and never advertised). */
export const SUPPORTED: Readonly<Record<number, VersionRange>> = {
  [ApiKey.Produce]: { min: 0, max: 9, flexibleFrom: 9 },
  [ApiKey.Fetch]: { min: 0, max: 16, flexibleFrom: 12 },
  [ApiKey.ListOffsets]: { min: 0, max: 8, flexibleFrom: 6 },
  [ApiKey.Metadata]: { min: 0, max: 12, flexibleFrom: 9 },
  [ApiKey.OffsetCommit]: { min: 0, max: 8, flexibleFrom: 8 },
  [ApiKey.OffsetFetch]: { min: 0, max: 8, flexibleFrom: 6 },
  [ApiKey.FindCoordinator]: { min: 0, max: 4, flexibleFrom: 3 },
  [ApiKey.JoinGroup]: { min: 0, max: 9, flexibleFrom: 6 },
  [ApiKey.Heartbeat]: { min: 0, max: 4, flexibleFrom: 4 },
  [ApiKey.LeaveGroup]: { min: 0, max: 5, flexibleFrom: 4 },
  [ApiKey.SyncGroup]: { min: 0, max: 5, flexibleFrom: 4 },
  [ApiKey.DescribeGroups]: { min: 0, max: 5, flexibleFrom: 5 },
  [ApiKey.ListGroups]: { min: 0, max: 4, flexibleFrom: 3 },
  [ApiKey.SaslHandshake]: { min: 0, max: 1 },
  [ApiKey.ApiVersions]: { min: 0, max: 3, flexibleFrom: 3 },
  [ApiKey.CreateTopics]: { min: 0, max: 7, flexibleFrom: 5 },
  [ApiKey.DeleteTopics]: { min: 0, max: 6, flexibleFrom: 4 },
  [ApiKey.DeleteRecords]: { min: 0, max: 2, flexibleFrom: 2 },
  [ApiKey.InitProducerId]: { min: 0, max: 4, flexibleFrom: 2 },
  [ApiKey.AddPartitionsToTxn]: { min: 0, max: 3, flexibleFrom: 3 },
  [ApiKey.AddOffsetsToTxn]: { min: 0, max: 3, flexibleFrom: 3 },
  [ApiKey.EndTxn]: { min: 0, max: 3, flexibleFrom: 3 },
  [ApiKey.WriteTxnMarkers]: { min: 0, max: 1, flexibleFrom: 1 },
  [ApiKey.TxnOffsetCommit]: { min: 0, max: 3, flexibleFrom: 3 },
  [ApiKey.DescribeAcls]: { min: 0, max: 3, flexibleFrom: 2 },
  [ApiKey.CreateAcls]: { min: 0, max: 3, flexibleFrom: 2 },
  [ApiKey.DeleteAcls]: { min: 0, max: 3, flexibleFrom: 2 },
  [ApiKey.DescribeConfigs]: { min: 0, max: 4, flexibleFrom: 4 },
  [ApiKey.AlterConfigs]: { min: 0, max: 2, flexibleFrom: 2 },
  [ApiKey.SaslAuthenticate]: { min: 0, max: 2, flexibleFrom: 2 },
  [ApiKey.CreatePartitions]: { min: 0, max: 3, flexibleFrom: 2 },
  [ApiKey.DeleteGroups]: { min: 0, max: 2, flexibleFrom: 2 },
  [ApiKey.IncrementalAlterConfigs]: { min: 0, max: 1, flexibleFrom: 1 },
  [ApiKey.OffsetDelete]: { min: 0, max: 0 },
  [ApiKey.DescribeCluster]: { min: 0, max: 1, flexibleFrom: 0 },
  [ApiKey.DescribeTransactions]: { min: 0, max: 0, flexibleFrom: 0 },
  [ApiKey.ListTransactions]: { min: 0, max: 1, flexibleFrom: 0 },
  [ApiKey.DescribeTopicPartitions]: { min: 0, max: 0, flexibleFrom: 0 },
  [ApiKey.DescribeUserScramCredentials]: { min: 0, max: 0, flexibleFrom: 0 },
  [ApiKey.AlterUserScramCredentials]: { min: 0, max: 0, flexibleFrom: 0 },
};

const names = new Map<number, ApiKeyName>(
  (Object.keys(ApiKey) as ApiKeyName[]).map((name) => [ApiKey[name], name]),
);

/** The name of an API key, or undefined for keys vonnegut does not know. */
export function apiKeyName(apiKey: number): ApiKeyName | undefined {
  return names.get(apiKey);
}

/** True when vonnegut implements this API at this version. */
export function isSupported(apiKey: number, version: number): boolean {
  const range = SUPPORTED[apiKey];
  return range !== undefined && version >= range.min && version <= range.max;
}

/** True when this API version uses the flexible (compact, tagged) encoding. */
export function isFlexible(apiKey: number, version: number): boolean {
  const from = SUPPORTED[apiKey]?.flexibleFrom;
  return from !== undefined && version >= from;
}

/** The ApiVersions entries vonnegut advertises, in key order. */
export function advertisedVersions(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return Object.entries(SUPPORTED)
    .map(([k, r]) => ({ apiKey: Number(k), minVersion: r.min, maxVersion: r.max }))
    .sort((a, b) => a.apiKey - b.apiKey);
}
