#!/usr/bin/env node
// Tessera node: `node dist/server.js [--config FILE]`. Validates the config, boots the node, stops it in
// exact reverse order on SIGINT/SIGTERM. Exit codes: 0 clean stop, 1 failed start or stop, 2 bad config.
import fs from 'node:fs';
import path from 'node:path';
import { readToml, type RawConfig } from './core/config.js';
import { TesseraError } from './core/errors.js';
import { bootNode } from './core/node.js';
import { createPluginResolver } from './core/plugin-loader.js';
import { BUILTIN_PLUGINS } from './plugins/builtin.js';

function usage(): never {
  process.stderr.write('usage: tessera [--config FILE]\n');
  process.exit(2);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let configFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--config' || a === '-config' || a === '-c') configFile = args[++i] ?? usage();
    else if (a.startsWith('--config=')) configFile = a.slice('--config='.length);
    else if (a === '--help' || a === '-h') usage();
    else {
      process.stderr.write(`unknown argument: ${a}\n`);
      usage();
    }
  }
  let raw: RawConfig = {};
  let baseDir = process.cwd();
  if (configFile) {
    let text: string;
    try {
      text = fs.readFileSync(configFile, 'utf8');
    } catch (err) {
      process.stderr.write(`cannot read config file ${configFile}: ${(err as Error).message}\n`);
      return 2;
    }
    baseDir = path.dirname(path.resolve(configFile));
    try {
      raw = readToml(text, configFile);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 2;
    }
    // Relative node dirs are relative to the config file.
    const nodeDir = raw.node?.dir;
    if (typeof nodeDir === 'string' && !path.isAbsolute(nodeDir)) raw.node!.dir = path.resolve(baseDir, nodeDir);
  }
  let node: Awaited<ReturnType<typeof bootNode>>;
  try {
    node = await bootNode({ raw, resolvePlugin: createPluginResolver(BUILTIN_PLUGINS, baseDir) });
  } catch (err) {
    const code = err instanceof TesseraError ? err.code : undefined;
    process.stderr.write(`tessera: ${(err as Error).message}\n`);
    return code === 'ERR_CONFIG_INVALID' || code?.startsWith('ERR_PLUGIN') ? 2 : 1;
  }
  process.stderr.write(`tessera: ready, HTTP on ${node.httpAddress()}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      node.logger.info({ signal }, 'signal received');
      node.stop().then(
        () => resolve(0),
        (err) => {
          process.stderr.write(`tessera: stop failed: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
    // Give pino a tick to flush, then exit even if a stray handle is left.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (err) => {
    process.stderr.write(`tessera: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
