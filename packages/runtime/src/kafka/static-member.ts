import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, Connection, FindCoordinatorKeyTypes, leaveGroupV5 } from '@platformatic/kafka';
import { errorCode, isRetryable } from '../errors.ts';
import { mapped } from './errors.ts';
import { mapPlatformaticError } from './platformatic-errors.ts';
import type { KafkaConnectionConfig } from './types.ts';

/**
 * Removes a static member from its group by its instance id: KIP-345's administrative LeaveGroup (member id
 * empty, group instance id given), as the Java admin's removeMembersFromConsumerGroup sends it. The group
 * rebalances at once and the others take the member's partitions.
 *
 * For a client whose static member does not leave when it closes (librdkafka skips the LeaveGroup on
 * termination, as KIP-345 asks): called after its consumer has closed, so a graceful stop hands over rather
 * than leaving the partitions unread until the session timeout. The request goes through
 * @platformatic/kafka's protocol layer, the one client here that sends LeaveGroup with instance ids.
 *
 * Resolves true when the member was removed, false when the group no longer had it (it timed out, or was
 * never there); fails after `timeoutMs` on anything else. The caller must know no successor holds the id
 * yet (this removes whichever member has it): a fenced member must not call it.
 */
export async function removeStaticMember(
  config: KafkaConnectionConfig,
  groupId: string,
  groupInstanceId: string,
  timeoutMs = 5_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const admin = new Admin({
    clientId: `${config.clientId}-leave`,
    bootstrapBrokers: [...config.brokers],
    connectTimeout: 2_000,
    requestTimeout: 5_000,
    retries: 2,
  });
  try {
    for (;;) {
      try {
        return await mapped(mapPlatformaticError, () => leaveOnce(admin, config, groupId, groupInstanceId));
      } catch (error) {
        if (errorCode(error) === 'KAFKA_UNKNOWN_MEMBER_ID') return false;
        // NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS and network errors pass in a moment.
        if (!isRetryable(error) || Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}

async function leaveOnce(
  admin: Admin,
  config: KafkaConnectionConfig,
  groupId: string,
  groupInstanceId: string,
): Promise<boolean> {
  const [coordinator] = await admin.findCoordinator({
    keyType: FindCoordinatorKeyTypes.GROUP,
    keys: [groupId],
  });
  if (!coordinator) throw mapPlatformaticError(new Error(`no coordinator for group ${groupId}`));
  const connection = new Connection(`${config.clientId}-leave`, { connectTimeout: 2_000 });
  try {
    await connection.connect(coordinator.host, coordinator.port);
    await leaveGroupV5.api.async(connection, groupId, [
      { memberId: '', groupInstanceId, reason: 'graceful stop of a static member' },
    ]);
    return true;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
