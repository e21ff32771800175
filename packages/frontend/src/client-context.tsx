import { createContext, useContext, useSyncExternalStore } from 'react';
import type { BankClient } from './api/graphql-client.ts';
import type { ConnectionState } from './lib/connection.ts';

const BankClientContext = createContext<BankClient | null>(null);

export const BankClientProvider = BankClientContext.Provider;

export function useBankClient(): BankClient {
  const client = useContext(BankClientContext);
  if (!client) throw new Error('useBankClient outside BankClientProvider');
  return client;
}

export function useConnection(): ConnectionState {
  const client = useBankClient();
  return useSyncExternalStore(client.connection.subscribe, client.connection.get);
}
