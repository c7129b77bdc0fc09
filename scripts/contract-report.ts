// Checks the AEP exchanges recorded under AEP_CONTRACT_LOG (src/aep/exchange-log.ts) against the derived specs
// (test/support/contract.ts): prints "N exchanges conform, M do not" and each distinct failure; exits 1 if M > 0.
// Usage: npx tsx scripts/contract-report.ts <dir>   (default: $AEP_CONTRACT_LOG)
import { checkExchanges, formatReport, readExchanges } from '../test/support/contract';

const dir = process.argv[2] ?? process.env.AEP_CONTRACT_LOG;
if (!dir) {
  console.error('usage: npx tsx scripts/contract-report.ts <dir with exchanges-*.jsonl>');
  process.exit(2);
}
const report = checkExchanges(readExchanges(dir));
console.log(`AEP contract: ${formatReport(report)}`);
process.exit(report.failures.length > 0 ? 1 : 0);
