import 'bulma/css/versions/bulma-no-dark-mode.min.css';
import { PAGE_TIMING_GLOBAL } from '@open-bank/contract';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBankClient } from './api/graphql-client.ts';
import { App } from './app.tsx';
import { BankClientProvider } from './client-context.tsx';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// One client for the page's lifetime: one WebSocket, reconnected as long as the page is open.
const client = createBankClient();
// The benchmark reads the page's own timing of each interaction here (see lib/page-timing.ts).
(window as unknown as Record<string, unknown>)[PAGE_TIMING_GLOBAL] = client.timings.entries;

createRoot(root).render(
  <StrictMode>
    <BankClientProvider value={client}>
      <App />
    </BankClientProvider>
  </StrictMode>,
);
