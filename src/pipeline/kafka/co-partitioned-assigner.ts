/**
 * A kafkajs partition assigner that gives partition p of every subscribed topic to the same member: the
 * dispatcher that owns `klaviyo.requests` partition p also owns `klaviyo.requests.retry` partition p, so it
 * knows which profiles have a request waiting for a retry and keeps their later requests behind it.
 * Members are sorted by id and partition p goes to member p mod n (round robin over partition numbers).
 *
 * Every member of a group must offer the same protocol: dispatchers of a version without this assigner
 * cannot join a group with ones that have it (stop the old ones before starting the new ones).
 */
import kafkajs, { type PartitionAssigner } from 'kafkajs';

const { AssignerProtocol } = kafkajs;

export const CO_PARTITIONED_ASSIGNER_NAME = 'RelayCoPartitioned';

/** Pure: member id → topic → partitions. Every member gets an entry, even one with nothing to do. */
export function coPartitionedAssignment(
  memberIds: readonly string[],
  partitionsByTopic: ReadonlyMap<string, readonly number[]>,
): Map<string, Record<string, number[]>> {
  const members = [...memberIds].sort();
  const assignment = new Map<string, Record<string, number[]>>(members.map((id) => [id, {}]));
  if (members.length === 0) return assignment;
  for (const [topic, partitions] of partitionsByTopic) {
    for (const partition of partitions) {
      const owner = assignment.get(members[partition % members.length]!)!;
      (owner[topic] ??= []).push(partition);
    }
  }
  return assignment;
}

export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER_NAME,
  version: 0,
  async assign({ members, topics }) {
    const partitionsByTopic = new Map(
      topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((metadata) => metadata.partitionId)]),
    );
    const assignment = coPartitionedAssignment(
      members.map((member) => member.memberId),
      partitionsByTopic,
    );
    return [...assignment].map(([memberId, topicsOf]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: topicsOf,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
