import type { MetaData, NodeInfo } from '../contracts/meta-store.js';
import { findNode } from './meta-data.js';
import { metaError, type HandlerOutcome } from './update-helpers.js';

function makeNode(id: number, address: string, httpAddress: string | undefined): NodeInfo {
  return httpAddress === undefined ? { id, address } : { id, address, httpAddress };
}

/**
 * Adds a node (result: its NodeInfo) with ID maxNodeId + 1 (never reused). The address must be unique
 * ("node already exists"). The first node sets the cluster ID from the command (the proposer's random).
 */
export function addNode(data: MetaData, address: string, httpAddress: string | undefined, clusterId: string | undefined): HandlerOutcome {
  if (data.nodes.some((n) => n.address === address)) throw metaError('ERR_META_NODE_EXISTS');
  const node = makeNode(data.maxNodeId + 1, address, httpAddress);
  const next: MetaData = { ...data, nodes: [...data.nodes, node], maxNodeId: node.id };
  return { data: data.clusterId === '' && clusterId !== undefined ? { ...next, clusterId } : next, result: node };
}

/** Changes a node's addresses (a node restarted with another bind address). */
export function updateNode(data: MetaData, id: number, address: string, httpAddress: string | undefined): HandlerOutcome {
  if (findNode(data, id) === undefined) throw metaError('ERR_META_NODE_NOT_FOUND');
  if (data.nodes.some((n) => n.address === address && n.id !== id)) throw metaError('ERR_META_NODE_EXISTS');
  const node = makeNode(id, address, httpAddress);
  return { data: { ...data, nodes: data.nodes.map((n) => (n.id === id ? node : n)) }, result: node };
}

/**
 * Removes a node (InfluxDB's Data.DeleteNode): id 0 -> "node id must be greater than 0"; unknown -> "node
 * not found"; the only node -> "unable to drop the final node in a cluster"; without `force`, a live
 * shard of a policy with replicaN <= 1 owned by this node alone -> "shard not replicated". Otherwise the
 * node leaves every shard's owner list (no re-replication) and the node list.
 */
export function removeNode(data: MetaData, id: number, force: boolean): HandlerOutcome {
  if (id <= 0) throw metaError('ERR_META_NODE_ID_INVALID');
  if (findNode(data, id) === undefined) throw metaError('ERR_META_NODE_NOT_FOUND');
  if (data.nodes.length === 1) throw metaError('ERR_META_LAST_NODE');
  if (!force) {
    for (const db of data.databases)
      for (const rp of db.retentionPolicies) {
        if (rp.replicaN > 1) continue;
        for (const g of rp.shardGroups) {
          if (g.deletedAt !== undefined) continue;
          for (const s of g.shards) if (s.owners.length === 1 && s.owners[0] === id) throw metaError('ERR_META_SHARD_NOT_REPLICATED');
        }
      }
  }
  const databases = data.databases.map((db) => {
    if (!db.retentionPolicies.some((rp) => rp.shardGroups.some((g) => g.shards.some((s) => s.owners.includes(id))))) return db;
    return {
      ...db,
      retentionPolicies: db.retentionPolicies.map((rp) => ({
        ...rp,
        shardGroups: rp.shardGroups.map((g) =>
          g.shards.some((s) => s.owners.includes(id))
            ? { ...g, shards: g.shards.map((s) => (s.owners.includes(id) ? { ...s, owners: s.owners.filter((o) => o !== id) } : s)) }
            : g,
        ),
      })),
    };
  });
  return { data: { ...data, databases, nodes: data.nodes.filter((n) => n.id !== id) } };
}
