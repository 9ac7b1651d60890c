/** A chain member as discovery finds it: a stable name and where to reach it. */
export interface Member {
  /** Stable name (pod name on Kubernetes, first label of the SRV target, or host:port). */
  name: string;
  host: string;
  port: number;
}
