// What other packages (the browser test, the benchmark) may use of the app: the test ids it renders.
export { DEPOSIT_EUROS, type DepositEuro, TestIds } from './test-ids.ts';
