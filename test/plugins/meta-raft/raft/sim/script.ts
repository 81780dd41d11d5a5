import { SimCluster, T_MS, type SimNode } from './sim-cluster.js';

/** One failed expectation of a script: its line and what was wrong. */
export interface ScriptFailure {
  readonly line: number;
  readonly text: string;
  readonly problem: string;
}

/**
 * Runs a scenario script (etcd's data-driven tests, in spirit) against the simulator. One command per
 * line, `#` comments. Durations: `5T` (election timeouts) or `120ms`.
 *
 *   cluster n1 n2 n3 [seed=7]        start a bootstrapped cluster
 *   run 5T                           advance virtual time
 *   snapshot-every 5                 compact every 5 applied entries
 *   campaign n1 | crash n2 | restart n2 | isolate n2 | cut n1>n2 | heal
 *   propose n1 [as NAME]             a command on n1 (NAME to refer to it later)
 *   propose-leader [as NAME]         a command on the current leader
 *   isolate-leader | isolate-follower
 *   add-learner n4 | promote n4 | remove n2 | remove-leader | transfer n2   (on the current leader)
 *   remember-leader L | remember-follower F | remember-term L   labels usable wherever a node is named
 *   expect leader n1 | expect leader-not L | expect leader-is L | expect no-leader
 *   expect term n1 = 2 | expect term-of L = current | expect role n2 follower
 *   expect acked NAME | expect not-acked NAME | expect applied n1 = n2 | expect voters n1,n2 | expect learners -
 *   expect history-ok
 */
export function runScript(text: string): { failures: ScriptFailure[]; sim?: SimCluster } {
  let sim: SimCluster | undefined;
  const names = new Map<string, string>();
  const labels = new Map<string, string | number>();
  const failures: ScriptFailure[] = [];
  const lines = text.split('\n');
  const resolve = (id: string): string => String(labels.get(id) ?? id);
  const node = (id: string): SimNode => {
    const n = sim!.nodes.get(resolve(id));
    if (!n) throw new Error(`no node ${id}`);
    return n;
  };
  const leader = (): SimNode => {
    const l = sim!.leader();
    if (!l) throw new Error('no leader');
    return l;
  };
  const duration = (s: string): number => (s.endsWith('T') ? Number(s.slice(0, -1)) * T_MS : Number(s.replace(/ms$/, '')));
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/#.*/, '').trim();
    if (raw === '') continue;
    const [cmd, ...args] = raw.split(/\s+/);
    const fail = (problem: string): void => {
      failures.push({ line: i + 1, text: raw, problem });
    };
    try {
      switch (cmd) {
        case 'cluster': {
          const seedArg = args.find((a) => a.startsWith('seed='));
          sim = new SimCluster(seedArg ? Number(seedArg.slice(5)) : 1, args.filter((a) => !a.startsWith('seed=')));
          break;
        }
        case 'run':
          sim!.runFor(duration(args[0]!));
          break;
        case 'snapshot-every':
          sim!.snapshotEvery = Number(args[0]);
          break;
        case 'campaign':
          node(args[0]!).raft.campaignNow();
          sim!.process(node(args[0]!));
          break;
        case 'crash':
          sim!.crash(node(args[0]!));
          break;
        case 'restart':
          sim!.restart(node(args[0]!));
          break;
        case 'isolate':
          sim!.isolate(resolve(args[0]!));
          break;
        case 'isolate-leader':
          sim!.isolate(leader().id);
          break;
        case 'isolate-follower': {
          const l = leader();
          sim!.isolate([...sim!.nodes.values()].find((n) => n !== l && n.alive)!.id);
          break;
        }
        case 'cut':
          sim!.cut.add(args[0]!);
          break;
        case 'heal':
          sim!.heal();
          break;
        case 'propose':
        case 'propose-leader': {
          const target = cmd === 'propose' ? node(args[0]!) : leader();
          const c = sim!.propose(target);
          const as = args.indexOf('as');
          if (as >= 0) names.set(args[as + 1]!, c ?? '(refused)');
          break;
        }
        case 'add-learner':
        case 'promote':
        case 'remove':
        case 'remove-leader': {
          const l = leader();
          const op = cmd === 'add-learner' ? 'addLearner' : cmd === 'promote' ? 'promote' : 'remove';
          const out = l.raft.proposeConfChange({ op, id: cmd === 'remove-leader' ? l.id : args[0]! } as never);
          if (!out.ok) fail(`refused: ${out.reason}`);
          if (cmd === 'add-learner' && !sim!.nodes.has(args[0]!)) sim!.addNode(args[0]!, false);
          sim!.process(l);
          break;
        }
        case 'transfer': {
          const l = leader();
          if (!l.raft.transferLeader(resolve(args[0]!)).ok) fail('transfer refused');
          sim!.process(l);
          break;
        }
        case 'remember-leader':
          labels.set(args[0]!, leader().id);
          break;
        case 'remember-follower': {
          const l = leader();
          labels.set(args[0]!, [...sim!.nodes.values()].find((n) => n !== l && n.alive)!.id);
          break;
        }
        case 'remember-term':
          labels.set(args[0]!, leader().raft.term);
          break;
        case 'expect':
          expect(args, fail);
          break;
        default:
          fail(`unknown command ${cmd}`);
      }
    } catch (err) {
      fail((err as Error).message);
    }
  }
  return sim ? { failures, sim } : { failures };

  function expect(args: string[], fail: (p: string) => void): void {
    const [what, a, op, b] = args;
    const l = sim!.leader();
    switch (what) {
      case 'leader':
        if (l?.id !== resolve(a!)) fail(`leader is ${l?.id ?? 'none'}`);
        return;
      case 'leader-is':
        if (l?.id !== labels.get(a!)) fail(`leader is ${l?.id ?? 'none'}, not ${String(labels.get(a!))}`);
        return;
      case 'leader-not':
        if (!l || l.id === labels.get(a!)) fail(`leader is ${l?.id ?? 'none'}`);
        return;
      case 'no-leader':
        if (l) fail(`${l.id} leads`);
        return;
      case 'term': {
        const t = node(a!).raft.term;
        if (op !== '=' || t !== Number(b)) fail(`term of ${a} is ${t}`);
        return;
      }
      case 'term-of': {
        const t = l?.raft.term;
        if (t !== labels.get(a!)) fail(`term is ${t}, remembered ${String(labels.get(a!))}`);
        return;
      }
      case 'role':
        if (node(a!).raft.role !== op) fail(`role of ${a} is ${node(a!).raft.role}`);
        return;
      case 'acked':
        if (!sim!.history.acked.has(names.get(a!) ?? '')) fail(`${a} (${names.get(a!)}) not acknowledged`);
        return;
      case 'not-acked':
        if (sim!.history.acked.has(names.get(a!) ?? '')) fail(`${a} acknowledged`);
        return;
      case 'applied':
        if (JSON.stringify(node(a!).applied) !== JSON.stringify(node(op === '=' ? b! : op!).applied)) fail(`${a} applied ${node(a!).applied.length}, ${b} ${node(b!).applied.length}`);
        return;
      case 'voters':
      case 'learners': {
        const got = [...(l?.raft.conf[what] ?? [])].sort().join(',');
        const want = a === '-' ? '' : a!.split(',').sort().join(',');
        if (got !== want) fail(`${what} are ${got || '-'}`);
        return;
      }
      case 'history-ok': {
        const errs = sim!.checkHistory();
        if (errs.length) fail(errs.join('; '));
        return;
      }
      default:
        fail(`unknown expectation ${what}`);
    }
  }
}
