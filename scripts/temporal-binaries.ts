// Entry point for `npm run temporal:install` (also the first step of `npm test` and `npm start`).
import { ensureTemporalBinaries } from '../src/dev/temporal-binaries';

const bins = ensureTemporalBinaries();
console.error(`temporal CLI: ${bins.cli ?? '(SDK download)'}`);
console.error(`temporal test server: ${bins.testServer ?? '(SDK download)'}`);
