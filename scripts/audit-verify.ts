/**
 * `npm run audit:verify -- <file> [--public-key <hex>]`: checks an audit export (docs/audit-log.md) line by line
 * with the institution's verifier (client/zt-audit.ts) and stops at the first problem:
 *   FAIL line <n> (entry seq <s>): <reason>    exit 1
 *   OK <entries> entries, <heads> tree heads, root <hex>    exit 0
 * Without --public-key, the key the export's header declares is used (pin the published key to rule out a forged export).
 */
import { readFile } from 'node:fs/promises';
import { verifyExport } from '../client/zt-audit';

async function main(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  const keyAt = args.indexOf('--public-key');
  const publicKey = keyAt >= 0 ? args.splice(keyAt, 2)[1] : undefined;
  if (args.length !== 1 || (keyAt >= 0 && !publicKey)) {
    process.stderr.write('usage: npm run audit:verify -- <export.jsonl> [--public-key <hex>]\n');
    return 2;
  }
  const verdict = verifyExport(await readFile(args[0]!), publicKey ? { publicKey: publicKey.toLowerCase() } : {});
  if (verdict.ok) {
    process.stdout.write(`OK ${verdict.entries} entries, ${verdict.heads} tree heads, root ${verdict.root}\n`);
    return 0;
  }
  process.stdout.write(`FAIL line ${verdict.line}${verdict.seq === undefined ? '' : ` (entry seq ${verdict.seq})`}: ${verdict.reason}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
