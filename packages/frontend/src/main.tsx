import 'bulma/css/versions/bulma-no-dark-mode.min.css';
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

createRoot(root).render(
  <StrictMode>
    <BankClientProvider value={client}>
      <App />
    </BankClientProvider>
  </StrictMode>,
);
