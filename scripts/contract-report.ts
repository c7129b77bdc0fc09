// Checks the AEP exchanges recorded under AEP_CONTRACT_LOG (src/aep/exchange-log.ts) against the derived specs
// (test/support/contract.ts): prints "N exchanges conform, M do not" and each distinct failure; exits 1 if M > 0.
// Usage: npx tsx scripts/contract-report.ts <dir>   (default: $AEP_CONTRACT_LOG)
import { checkExchanges, formatReport, readExchanges } from '../test/support/contract';

const dir = process.argv[2] ?? process.env.AEP_CONTRACT_LOG;
if (!dir) {
  console.error('usage: npx tsx scripts/contract-report.ts <dir with exchanges-*.jsonl>');
  process.exit(2);
}
const { exchanges, torn } = readExchanges(dir);
const report = checkExchanges(exchanges);
console.log(`AEP contract: ${formatReport(report)}`);
// A process killed mid-write (the chaos runs kill workers) can leave one line torn: said, not counted.
if (torn > 0) console.log(`AEP contract: ${torn} torn line(s) skipped`);
process.exit(report.failures.length > 0 ? 1 : 0);
