/**
 * The `data-testid`s a browser test or the benchmark drives. Kept in one place so tests import them instead
 * of repeating strings (SPEC §4 frontend: stable ids on what the benchmark drives).
 */
export const TestIds = {
  loginUsername: 'login-username',
  loginPassword: 'login-password',
  loginSubmit: 'login-submit',
  loginResult: 'login-result',
  logout: 'logout',
  accountIban: 'account-iban',
  accountBalance: 'account-balance',
  tokenToggle: 'token-toggle',
  deposit: (euro: DepositEuro) => `deposit-${euro}`,
  depositResult: 'deposit-result',
  transferAmount: 'transfer-amount',
  transferTo: 'transfer-to',
  transferDescription: 'transfer-description',
  transferSubmit: 'transfer-submit',
  transferResult: 'transfer-result',
  transactionList: 'transaction-list',
  transactionRow: 'transaction-row',
  newestNewBalance: 'newest-new-balance',
  maxItems: 'max-items',
  field: (name: string) => `field-${name}`,
  employeeFilter: 'employee-filter',
  employeeRefresh: 'employee-refresh',
  employeeAccount: (iban: string) => `employee-account-${iban}`,
  nav: (view: 'home' | 'client' | 'employee' | 'live' | 'background') => `nav-${view}`,
  connectionStatus: 'connection-status',
  connectionBanner: 'connection-banner',
  benchCharts: 'bench-charts',
  liveView: 'live-view',
  liveCommandsPerSecond: 'live-commands-per-second',
  liveHeartbeatsPerSecond: 'live-heartbeats-per-second',
  liveLatency: 'live-latency',
  liveLag: 'live-lag',
  liveRateInput: 'live-rate-input',
  liveRateSubmit: 'live-rate-submit',
  liveRateResult: 'live-rate-result',
} as const;

export const DEPOSIT_EUROS = [10, 20, 50, 100, 200] as const;
export type DepositEuro = (typeof DEPOSIT_EUROS)[number];
