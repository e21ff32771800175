/**
 * What a running local stack runs on, read from its processes: the Kafka client its services were started
 * with (their `KAFKA_CLIENT`, kafkajs when unset) and how many Kafka nodes run.
 */

/** The variables of a /proc/<pid>/environ (NUL-separated NAME=value). */
export function parseEnviron(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) out[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return out;
}

export const DEFAULT_KAFKA_CLIENT = 'kafkajs';

/**
 * The one Kafka client of the services whose environments were read (service → its KAFKA_CLIENT, undefined
 * when unset), or every value found when they differ.
 */
export function kafkaClientOf(
  envs: Readonly<Record<string, string | undefined>>,
): { ok: true; client: string | undefined } | { ok: false; clients: Record<string, string> } {
  const byService: Record<string, string> = {};
  for (const [svc, v] of Object.entries(envs))
    byService[svc] = v === undefined || v === '' ? DEFAULT_KAFKA_CLIENT : v;
  const distinct = new Set(Object.values(byService));
  if (distinct.size > 1) return { ok: false, clients: byService };
  return { ok: true, client: [...distinct][0] };
}

/** Kafka nodes among the running parts of a stack (named kafka-1, kafka-2, …). */
export function kafkaNodesRunning(running: readonly string[]): number {
  return running.filter((n) => /^kafka-\d+$/.test(n)).length;
}
